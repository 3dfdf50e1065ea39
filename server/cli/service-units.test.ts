import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { bootUnit, launcherUnit, lxcDropIn, PLAIN_PATH, type TUnitPaths } from "./service-units";

const checkout = path.resolve(import.meta.dirname, "../..");
/** The real node and checkout: systemd-analyze verify checks that ExecStart's programs exist. */
const paths: TUnitPaths = { node: process.execPath, checkout };
const fake: TUnitPaths = { node: "/opt/atelier/node/bin/node", checkout: "/srv/atelier" };

/** The values of KEY in a unit's text, in order ("" for a reset line). */
const values = (text: string, key: string) =>
  text
    .split("\n")
    .filter((line) => line.startsWith(`${key}=`))
    .map((line) => line.slice(key.length + 1));

describe("the systemd units of atelier service install", () => {
  it("run the launcher as npm start does, with absolute paths, the settings file and a restart on failure", () => {
    const unit = launcherUnit(fake);
    expect(values(unit, "ExecStart")).toEqual([
      "/opt/atelier/node/bin/node --import tsx /srv/atelier/server/launcher/main.ts",
    ]);
    expect(values(unit, "WorkingDirectory")).toEqual(["/srv/atelier"]);
    expect(values(unit, "Environment")).toEqual([
      "NODE_ENV=production",
      "PATH=/opt/atelier/node/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    ]);
    expect(values(unit, "EnvironmentFile")).toEqual(["-/etc/default/atelier"]);
    expect(values(unit, "Restart")).toEqual(["on-failure"]);
    // The launcher stops its children in order; containers are outside the unit's cgroup (liblxc escapes it).
    expect(values(unit, "KillMode")).toEqual(["mixed"]);
    expect(values(unit, "After")).toEqual(["network-online.target lxc-net.service"]);
    expect(values(unit, "WantedBy")).toEqual(["multi-user.target"]);
    // Nothing that every container started from the panel would inherit (a mount namespace, no_new_privs, a
    // seccomp filter) or that would take the helper's namespaces and mounts away.
    for (const key of [
      "NoNewPrivileges",
      "ProtectSystem",
      "ProtectHome",
      "PrivateTmp",
      "PrivateDevices",
      "SystemCallFilter",
      "RestrictNamespaces",
      "CapabilityBoundingSet",
      "User",
      "MemoryDenyWriteExecute",
    ]) {
      expect(values(unit, key), key).toEqual([]);
    }
  });

  it("replace lxc.service's start and stop with atelier boot start and stop, keeping the rest of it", () => {
    const dropIn = lxcDropIn(fake);
    // An empty ExecStart= first: a drop-in's ExecStart otherwise adds a command to LXC's instead of replacing it.
    expect(values(dropIn, "ExecStart")).toEqual([
      "",
      "/opt/atelier/node/bin/node /srv/atelier/bin/atelier.js boot start",
    ]);
    expect(values(dropIn, "ExecStop")).toEqual([
      "",
      "/opt/atelier/node/bin/node /srv/atelier/bin/atelier.js boot stop --all",
    ]);
    // Its AppArmor load, ordering and install section are LXC's own: untouched.
    for (const key of ["ExecStartPre", "After", "Before", "Wants", "WantedBy", "Type"])
      expect(values(dropIn, key)).toEqual([]);
    expect(dropIn).not.toMatch(/^\[(Unit|Install)\]/m);
    expect(values(dropIn, "TimeoutStopSec")).toEqual(["15min"]);
    expect(values(dropIn, "EnvironmentFile")).toEqual(["-/etc/default/atelier"]);
  });

  it("make atelier-boot.service a oneshot ordered as lxc.service, with its AppArmor load when LXC has one", () => {
    const unit = bootUnit(fake, { apparmorLoad: true });
    expect(values(unit, "Type")).toEqual(["oneshot"]);
    expect(values(unit, "RemainAfterExit")).toEqual(["yes"]);
    expect(values(unit, "After")).toEqual(["network.target remote-fs.target lxc-net.service"]);
    expect(values(unit, "Wants")).toEqual(["lxc-net.service"]);
    expect(values(unit, "ExecStartPre")).toEqual(["-/usr/libexec/lxc/lxc-apparmor-load"]);
    expect(values(unit, "ExecStart")).toEqual([
      "/opt/atelier/node/bin/node /srv/atelier/bin/atelier.js boot start",
    ]);
    expect(values(unit, "ExecStop")).toEqual([
      "/opt/atelier/node/bin/node /srv/atelier/bin/atelier.js boot stop --all",
    ]);
    expect(values(unit, "WantedBy")).toEqual(["multi-user.target"]);
    expect(values(bootUnit(fake, { apparmorLoad: false }), "ExecStartPre")).toEqual([]);
  });

  it("hold only plain paths (no spaces, quotes or systemd specifiers)", () => {
    expect(PLAIN_PATH.test("/opt/atelier/node/bin/node")).toBe(true);
    expect(PLAIN_PATH.test("/root/wt-service")).toBe(true);
    for (const bad of [
      "/srv/my atelier",
      "/srv/%h",
      "/srv/a$b",
      "relative",
      '/srv/"a',
      "/srv/a\\b",
      "/srv/a\nb",
    ]) {
      expect(PLAIN_PATH.test(bad), bad).toBe(false);
    }
  });

  it("pass systemd-analyze verify without a warning, lxc.service with its drop-in included", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "atelier-units-"));
    try {
      await writeFile(path.join(dir, "atelier.service"), launcherUnit(paths));
      await writeFile(path.join(dir, "atelier-boot.service"), bootUnit(paths, { apparmorLoad: true }));
      // LXC's own unit (Debian's lxc package, which scripts/start.sh installs) next to its drop-in directory:
      // verify reads the drop-ins of a unit file from beside it.
      await copyFile("/lib/systemd/system/lxc.service", path.join(dir, "lxc.service"));
      await mkdir(path.join(dir, "lxc.service.d"));
      await writeFile(path.join(dir, "lxc.service.d", "atelier.conf"), lxcDropIn(paths));
      const result = await execa(
        "systemd-analyze",
        ["verify", "--man=no", "./atelier.service", "./atelier-boot.service", "./lxc.service"],
        { cwd: dir, reject: false, env: { SYSTEMD_LOG_LEVEL: "notice" } },
      );
      expect(`${result.stdout}${result.stderr}`).toBe("");
      expect(result.exitCode).toBe(0);
      // It does warn: a mistake of ours would show (a key it does not know, a program that is not there).
      await writeFile(path.join(dir, "lxc.service.d", "atelier.conf"), `${lxcDropIn(paths)}Bogus=1\n`);
      await writeFile(
        path.join(dir, "atelier.service"),
        launcherUnit({ ...paths, node: "/nonexistent/node" }),
      );
      const broken = await execa(
        "systemd-analyze",
        ["verify", "--man=no", "./atelier.service", "./lxc.service"],
        {
          cwd: dir,
          reject: false,
        },
      );
      expect(broken.stderr).toContain("Unknown key 'Bogus'");
      expect(broken.stderr).toContain("/nonexistent/node");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
