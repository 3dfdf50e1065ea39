import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { applySettings, debianProgress } from "./service";
import { LxcConfig } from "../schemas/lxc-config/model";
import { ZCreateForm } from "../schemas/create-container";

describe("debian progress", () => {
  it("moves forward through the template's output for a cold cache (a captured run), and never past 96 % before the end", () => {
    // The output of `lxc-create -t debian -- -r bookworm` with an empty cache, as captured on these machines.
    const log = readFileSync(path.join(import.meta.dirname, "__fixtures__", "lxc-debian-cold.log"), "utf8");
    const step = debianProgress();
    const seen = log
      .split("\n")
      .map(step)
      .filter((entry) => entry !== null);
    const values = seen.map((entry) => entry.progress);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(values.at(-1)).toBeLessThanOrEqual(96);
    expect(new Set(seen.map((entry) => entry.phase))).toEqual(
      new Set([
        "checking the cache",
        "bootstrapping (debootstrap)",
        "downloading packages",
        "unpacking packages",
        "configuring packages",
        "bootstrapping",
        "copying the cached system",
        "generating locales",
        "creating SSH host keys",
        "setting the time zone",
      ]),
    );
  });
});

describe("settings as config lines", () => {
  it("writes eth0, limits in the host's cgroup version's keys, and autostart", () => {
    const form = ZCreateForm.parse({
      rootfs: { kind: "busybox" },
      network: { bridge: "br0", mode: "static", ipv4: "10.0.3.5/24", gateway: "10.0.3.1" },
      limits: { memoryMiB: 64, cpuShares: 512, pids: 100 },
      autostart: { enabled: true, order: 2, groups: ["web", "db"] },
    });
    const v1 = applySettings(
      LxcConfig.parse("lxc.net.0.type = veth\nlxc.net.0.link = lxcbr0\n"),
      form,
      1,
    ).toString();
    expect(v1).toContain("lxc.net.0.link = br0\n");
    expect(v1).not.toContain("lxcbr0");
    expect(v1).toMatch(/lxc\.net\.0\.hwaddr = 00:16:3e(:[0-9a-f]{2}){3}/);
    for (const line of [
      "lxc.net.0.ipv4.address = 10.0.3.5/24",
      "lxc.cgroup.memory.limit_in_bytes = 67108864",
      "lxc.cgroup.cpu.shares = 512",
      "lxc.cgroup.pids.max = 100",
      "lxc.start.auto = 1",
      "lxc.start.order = 2",
      "lxc.group = web",
      "lxc.group = db",
    ])
      expect(v1).toContain(line);
    const v2 = applySettings(LxcConfig.parse(""), form, 2).toString();
    expect(v2).toContain("lxc.cgroup2.memory.max = 67108864");
    // v1's shares 512 of 1024 is v2's weight 50 of 100.
    expect(v2).toContain("lxc.cgroup2.cpu.weight = 50");
  });
});
