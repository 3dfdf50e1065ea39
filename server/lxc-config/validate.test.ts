import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { KEYS, lookupKey } from "../schemas/lxc-config/catalogue";
import { migrateLegacy, suggestKey, validateConfig } from "../schemas/lxc-config/validate";
import { shippedConfigs } from "./shipped-configs";

const fixtures = path.join(import.meta.dirname, "__fixtures__");
const read = (file: string) => readFileSync(file, "utf8");
const errors = (text: string) => validateConfig(text).filter((problem) => problem.severity === "error");

describe("the key catalogue", () => {
  it("finds the most specific entry for a key", () => {
    expect(lookupKey("lxc.net.3.ipv4.address")?.type).toBe("ipv4-cidr");
    expect(lookupKey("lxc.cgroup.memory.limit_in_bytes")).toMatchObject({ type: "size", apply: "live" });
    expect(lookupKey("lxc.cgroup.freezer.state")).toMatchObject({ key: "lxc.cgroup.*", apply: "live" });
    expect(lookupKey("lxc.sysctl.net.ipv4.ip_forward")?.key).toBe("lxc.sysctl.*");
    expect(lookupKey("lxc.uts.name")).toMatchObject({ apply: "restart", repeatable: false });
    expect(lookupKey("lxc.utsname")).toBeUndefined();
  });

  it("describes every key in one line", () => {
    for (const info of KEYS) expect(info.description.length, info.key).toBeGreaterThan(5);
    expect(new Set(KEYS.map((info) => info.key)).size).toBe(KEYS.length);
  });
});

describe("validation of every config LXC ships and the templates write", () => {
  const files = [...shippedConfigs(), path.join(fixtures, "busybox-template.conf")];
  it.each(files.map((file) => [path.relative("/", file), file]))("%s has no error", (_label, file) => {
    expect(errors(read(file))).toEqual([]);
  });
});

describe("validation messages, tied to lines", () => {
  it("flags unknown keys with the closest known one", () => {
    expect(validateConfig("lxc.uts.nmae = web\nlxc.net.1.lnik = br0\nlxc.net.1.type = veth\n")).toEqual([
      expect.objectContaining({
        line: 1,
        severity: "error",
        message: "Unknown key lxc.uts.nmae: did you mean lxc.uts.name?",
      }),
      expect.objectContaining({
        line: 2,
        message: "Unknown key lxc.net.1.lnik: did you mean lxc.net.1.link?",
      }),
    ]);
    expect(suggestKey("lxc.totally.different.thing")).toBeUndefined();
  });

  it("checks values against their type", () => {
    const text = [
      "lxc.net.0.type = vethh",
      "lxc.net.0.ipv4.address = 10.0.3.300/24",
      "lxc.net.0.hwaddr = 00:16:3e:zz:00:01",
      "lxc.cgroup.memory.limit_in_bytes = lots",
      "lxc.cgroup.devices.allow = c 1:3 rwx",
      "lxc.start.auto = yes",
      "lxc.idmap = u 0 100000",
      "lxc.net.0.link = a-bridge-name-that-is-too-long",
      "lxc.cgroup.cpuset.cpus = 0-1,3",
      "lxc.net.0.ipv4.gateway = auto",
    ].join("\n");
    expect(errors(text).map((problem) => problem.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(errors(text)[3]?.message).toBe(
      'lxc.cgroup.memory.limit_in_bytes must be a size such as 512M, 2G or a number of bytes (got "lots")',
    );
  });

  it("warns about a single-valued key set twice, and an interface without a type is an error", () => {
    expect(validateConfig("lxc.uts.name = a\nlxc.uts.name = b\nlxc.net.2.link = br0\n")).toEqual([
      expect.objectContaining({
        line: 2,
        severity: "warning",
        message: "lxc.uts.name is also set on line 1: the last value wins",
      }),
      expect.objectContaining({
        line: 3,
        severity: "error",
        message: expect.stringContaining("has no lxc.net.2.type") as unknown,
      }),
    ]);
  });
});

describe("legacy configs (the seed tutorial's)", () => {
  const seed = read(path.join(fixtures, "seed-legacy.conf"));

  it("says what is legacy (with its modern form) and which lines LXC ignores", () => {
    const problems = validateConfig(seed);
    expect(
      problems.filter((problem) => problem.severity === "warning").map((problem) => problem.line),
    ).toEqual([1, 8, 16]);
    expect(problems[0]?.message).toContain('"//" is not a comment');
    expect(problems.find((problem) => problem.line === 2)).toMatchObject({
      replacement: "lxc.uts.name = vm0",
      message: "lxc.utsname is a legacy key that LXC 3 and later refuse: it is now lxc.uts.name",
    });
    expect(problems.find((problem) => problem.line === 13)?.replacement).toBe(
      "lxc.net.0.ipv4.address = 192.168.1.100/24",
    );
  });

  it("migrates in one step to a config with no error, keeping every other line", () => {
    const migrated = migrateLegacy(seed);
    expect(errors(migrated)).toEqual([]);
    expect(migrated).toContain(
      "lxc.uts.name = vm0\nlxc.tty.max = 4\nlxc.pty.max = 1024\nlxc.rootfs.path = /var/lib/lxc/vm0/rootfs",
    );
    expect(migrated).toContain("lxc.net.0.type = veth\nlxc.net.0.flags = up\nlxc.net.0.link = br0");
    expect(migrated).toContain("lxc.net.0.ipv4.gateway = 192.168.1.1");
    expect(migrated.split("\n")).toHaveLength(seed.split("\n").length);
  });
});
