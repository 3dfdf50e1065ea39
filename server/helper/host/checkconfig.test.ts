import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ZReadinessCheck } from "../contract/host";
import { cgroupLayoutOf } from "./readiness";
import { parseCgroupMounts } from "../../metrics/parse";
import { checksFromCheckconfig, parseCheckconfig, stripAnsi } from "./checkconfig";

/**
 * lxc-checkconfig's real output (LXC 5.0.2, Debian 12), captured on this project's machine (server/helper/host/
 * __fixtures__): checkconfig-hybrid.txt as it runs here (cgroup v1 controllers plus the unified mount); -v1.txt
 * and -v2.txt in a private mount namespace with the unified mount taken away, or every cgroup mount replaced by one
 * cgroup2 at /sys/fs/cgroup; -v1-kernel-4.9.txt with CONFIG= a copy of this kernel's config said to be 4.9 (the
 * script then adds the NF_NAT lines) without CONFIG_NF_NAT_IPV4; -v1-old-kernel-tty.txt on a terminal (`script`,
 * so coloured, CRLF) with a "4.4" config lacking CONFIG_NAMESPACES, CONFIG_VETH and CONFIG_MEMCG, no freezer or
 * systemd v1 mount, and a copy of newuidmap without its setuid bit bound over it.
 */
const fixture = (name: string) => readFileSync(path.join(__dirname, "__fixtures__", name), "utf8");
const checksOf = (name: string) => checksFromCheckconfig(parseCheckconfig(fixture(name)));
const byLabel = (name: string) => new Map(checksOf(name).map((check) => [check.label, check]));

describe("parseCheckconfig", () => {
  it("reads the hybrid host's report: version, both mount lists, every option line", () => {
    const report = parseCheckconfig(fixture("checkconfig-hybrid.txt"));
    expect(report.lxcVersion).toBe("5.0.2");
    expect(report.cgroupV1Mounts).toEqual([
      "/sys/fs/cgroup/cpu",
      "/sys/fs/cgroup/cpuacct",
      "/sys/fs/cgroup/cpuset",
      "/sys/fs/cgroup/memory",
      "/sys/fs/cgroup/devices",
      "/sys/fs/cgroup/freezer",
      "/sys/fs/cgroup/blkio",
      "/sys/fs/cgroup/pids",
      "/sys/fs/cgroup/systemd",
    ]);
    expect(report.cgroupV2Mounts).toEqual(["/sys/fs/cgroup/unified"]);
    expect(report.notes).toEqual([]);
    expect(report.lines).toHaveLength(33);
    expect(report.lines.filter((line) => line.value !== "enabled").map((line) => line.label)).toEqual([
      "Vlan",
    ]);
    expect(report.lines.find((line) => line.label === "Cgroup v1 clone_children flag")).toMatchObject({
      section: "Control groups",
      value: "enabled",
      colour: null,
    });
  });

  it("reads a pure v1 host and a pure v2 host (no v1 checks on v2)", () => {
    const v1 = parseCheckconfig(fixture("checkconfig-v1.txt"));
    expect(v1.cgroupV2Mounts).toEqual([]);
    expect(v1.cgroupV1Mounts).toHaveLength(9);
    const v2 = parseCheckconfig(fixture("checkconfig-v2.txt"));
    expect(v2.cgroupV1Mounts).toEqual([]);
    expect(v2.cgroupV2Mounts).toEqual(["/sys/fs/cgroup"]);
    expect(v2.lines.some((line) => line.label.startsWith("Cgroup v1"))).toBe(false);
    expect(v2.lines.map((line) => line.label)).toContain("Cgroup memory controller");
  });

  it("strips the colours of a terminal run and keeps what they meant", () => {
    const text = fixture("checkconfig-v1-old-kernel-tty.txt");
    expect(text).toContain("\u001b[1;31m");
    const report = parseCheckconfig(text);
    expect(
      report.lines.every((line) => !line.label.includes("\u001b") && !line.value.includes("\u001b")),
    ).toBe(true);
    const colourOf = (label: string) => report.lines.find((line) => line.label === label)?.colour;
    expect(colourOf("Namespaces")).toBe("red");
    expect(colourOf("Veth pair device")).toBe("yellow");
    expect(colourOf("Cgroup v1 freezer controller")).toBe("red");
    // Its reset comes after the newline: the next line is still read, and green.
    expect(colourOf("Cgroup v1 clone_children flag")).toBe("green");
    expect(colourOf("Cgroup device")).toBe("green");
    expect(report.notes).toEqual(["Warning: newuidmap is not setuid-root"]);
    expect(report.cgroupV2Mounts).toEqual([]);
  });

  it("keeps a module's state and the config file it found", () => {
    const report = parseCheckconfig(
      [
        "LXC version 5.0.2",
        "Kernel configuration not found at /proc/config.gz; searching...",
        "Kernel configuration found at /boot/config-6.1.0-13-amd64",
        "--- Misc ---",
        "Veth pair device: enabled, loaded",
        "Macvlan: enabled, not loaded",
        "newgidmap is not installed",
      ].join("\n"),
    );
    expect(report.configFile).toBe("/boot/config-6.1.0-13-amd64");
    expect(report.lines).toEqual([
      { section: "Misc", label: "Veth pair device", value: "enabled", colour: null, module: "loaded" },
      { section: "Misc", label: "Macvlan", value: "enabled", colour: null, module: "not loaded" },
    ]);
    expect(report.notes).toEqual(["newgidmap is not installed"]);
  });

  it("strips any escape sequence", () => {
    expect(stripAnsi("\u001b[1;32menabled\u001b[0;39m")).toBe("enabled");
  });
});

describe("checksFromCheckconfig", () => {
  it("finds nothing wrong on this host but the missing vlan module, with its kernel option", () => {
    const checks = checksOf("checkconfig-hybrid.txt");
    for (const check of checks) expect(ZReadinessCheck.safeParse(check).success).toBe(true);
    expect(checks.filter((check) => check.status !== "ok")).toEqual([
      expect.objectContaining({
        id: "kernel.vlan",
        status: "warning",
        key: "vlan",
        fix: { kind: "kernelConfig", text: "CONFIG_VLAN_8021Q=y", file: null },
      }),
    ]);
    expect(new Set(checks.map((check) => check.id)).size).toBe(checks.length);
    expect(checks.find((check) => check.label === "Cgroup memory controller")?.group).toBe("cgroups");
  });

  it("on the old v1 host: red lines are problems, yellow ones warnings, each with its fix", () => {
    const checks = byLabel("checkconfig-v1-old-kernel-tty.txt");
    expect(checks.get("Namespaces")).toMatchObject({
      status: "problem",
      key: "namespaces",
      fix: { kind: "kernelConfig", text: "CONFIG_NAMESPACES=y" },
    });
    expect(checks.get("Veth pair device")).toMatchObject({ status: "warning", key: "veth" });
    expect(checks.get("Cgroup memory controller")).toMatchObject({ status: "warning", key: "memcg" });
    expect(checks.get("Multiple /dev/pts instances")).toMatchObject({ status: "warning", key: "devpts" });
    expect(checks.get("Cgroup v1 freezer controller")).toMatchObject({
      status: "problem",
      fix: {
        kind: "command",
        text: "mkdir -p /sys/fs/cgroup/freezer && mount -t cgroup -o freezer cgroup /sys/fs/cgroup/freezer",
      },
    });
    expect(checks.get("Cgroup v1 systemd controller")?.fix?.text).toContain("-o none,name=systemd");
    expect(checks.get("newuidmap")).toMatchObject({
      status: "problem",
      group: "ids",
      key: "idmapTool",
      params: { why: "notSetuid" },
      fix: { kind: "command", text: "apt-get install --reinstall uidmap" },
    });
  });

  it("judges by the word when there are no colours (the runner's pipe): the v1 checks' missing is red", () => {
    const text = stripAnsi(fixture("checkconfig-v1-old-kernel-tty.txt"));
    const checks = new Map(
      checksFromCheckconfig(parseCheckconfig(text)).map((check) => [check.label, check]),
    );
    expect(checks.get("Namespaces")?.status).toBe("problem");
    expect(checks.get("Cgroup v1 systemd controller")?.status).toBe("problem");
    expect(checks.get("Vlan")?.status).toBe("warning");
    expect(checks.get("Cgroup device")?.status).toBe("ok");
  });

  it("names each NAT option of an older kernel, and checkpoint options only as information", () => {
    const checks = byLabel("checkconfig-v1-kernel-4.9.txt");
    expect(checks.get("CONFIG_NF_NAT_IPV4")).toMatchObject({
      status: "warning",
      key: "nat",
      fix: { text: "CONFIG_NF_NAT_IPV4=y" },
    });
    const unknown = checksFromCheckconfig(
      parseCheckconfig("--- Checkpoint/Restore ---\nCONFIG_FHANDLE: missing\nCONFIG_NEW_THING: missing\n"),
    );
    expect(unknown.map((check) => [check.key, check.status, check.fix?.text ?? null])).toEqual([
      ["checkpoint", "info", null],
      ["other", "warning", "CONFIG_NEW_THING=y"],
    ]);
  });
});

describe("cgroupLayoutOf", () => {
  const mountinfo = (lines: string[]) =>
    parseCgroupMounts(lines.map((line, index) => `${30 + index} 23 0:${28 + index} / ${line}`).join("\n"));
  const none = () => Promise.resolve([]);

  it("tells v1, hybrid, v2 and none apart, with the controllers a container gets", async () => {
    const v1 = [
      "/sys/fs/cgroup/memory rw - cgroup cgroup rw,memory",
      "/sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct",
      "/sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd",
    ];
    expect(await cgroupLayoutOf(mountinfo(v1), none)).toMatchObject({
      layout: "v1",
      // xattr is a mount option, not a controller.
      controllers: ["cpu", "cpuacct", "memory"],
    });
    const hybrid = [...v1, "/sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw"];
    expect((await cgroupLayoutOf(mountinfo(hybrid), none)).layout).toBe("hybrid");
    const v2 = await cgroupLayoutOf(
      mountinfo(["/sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate"]),
      (point) => Promise.resolve(point === "/sys/fs/cgroup" ? ["pids", "memory", "cpu"] : []),
    );
    expect(v2).toEqual({
      layout: "v2",
      controllers: ["cpu", "memory", "pids"],
      mountPoint: "/sys/fs/cgroup",
    });
    expect((await cgroupLayoutOf([], none)).layout).toBe("none");
  });
});
