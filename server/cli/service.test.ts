import { mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { installService, lxcServiceState, ServiceError, uninstallService } from "./service";

const withRoot = async (work: (root: string) => Promise<void>) => {
  const root = await mkdtemp(path.join(os.tmpdir(), "atelier-service-"));
  try {
    await work(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
};

describe("atelier service's reading of the host", () => {
  it("tells lxc.service absent, disabled, enabled (a link in a target's wants or requires) and masked", async () => {
    await withRoot(async (root) => {
      expect(await lxcServiceState(root)).toBe("absent");
      await mkdir(path.join(root, "usr/lib/systemd/system"), { recursive: true });
      await writeFile(path.join(root, "usr/lib/systemd/system/lxc.service"), "[Service]\n");
      expect(await lxcServiceState(root)).toBe("disabled");
      await mkdir(path.join(root, "etc/systemd/system/graphical.target.requires"), { recursive: true });
      await symlink(
        "/usr/lib/systemd/system/lxc.service",
        path.join(root, "etc/systemd/system/graphical.target.requires/lxc.service"),
      );
      expect(await lxcServiceState(root)).toBe("enabled");
      await symlink("/dev/null", path.join(root, "etc/systemd/system/lxc.service"));
      expect(await lxcServiceState(root)).toBe("masked");
    });
  });

  it("refuses a node or checkout path a unit cannot hold plainly, writing nothing", async () => {
    await withRoot(async (root) => {
      for (const paths of [
        { node: process.execPath, checkout: "/srv/my atelier" },
        { node: "/opt/100%/node", checkout: "/srv/atelier" },
        // A newline would start a line of the unit's own (ExecStartPre=…) after the path.
        { node: process.execPath, checkout: "/srv/atelier\nExecStartPre=/tmp/x" },
        { node: `${process.execPath}\n`, checkout: "/srv/atelier" },
      ]) {
        await expect(installService({ root, paths })).rejects.toThrow(ServiceError);
      }
      await expect(
        installService({ root, paths: { node: "/nonexistent/node", checkout: "/srv/atelier" } }),
      ).rejects.toThrow("/nonexistent/node is not an executable");
      await expect(lxcServiceState(root)).resolves.toBe("absent");
      await expect(import("node:fs/promises").then(({ readdir }) => readdir(root))).resolves.toEqual([]);
    });
  });

  it("writes /etc/default/atelier root's alone (0600: it may hold secrets), the units 0644", async () => {
    await withRoot(async (root) => {
      const checkout = path.resolve(import.meta.dirname, "../..");
      await installService({ root, paths: { node: process.execPath, checkout } });
      expect((await stat(path.join(root, "etc/default/atelier"))).mode & 0o777).toBe(0o600);
      expect((await stat(path.join(root, "etc/systemd/system/atelier.service"))).mode & 0o777).toBe(0o644);
    });
  });

  it("uninstall removes only what install wrote: another's unit, drop-in or enable link of the same name stays", async () => {
    await withRoot(async (root) => {
      const units = path.join(root, "etc/systemd/system");
      await mkdir(path.join(units, "multi-user.target.wants"), { recursive: true });
      await mkdir(path.join(units, "lxc.service.d"), { recursive: true });
      const foreign = "[Service]\nExecStart=/usr/local/bin/someone-elses-atelier\n";
      await writeFile(path.join(units, "atelier.service"), foreign);
      await writeFile(path.join(units, "lxc.service.d/atelier.conf"), foreign);
      await symlink(
        "/usr/lib/systemd/system/atelier-boot.service",
        path.join(units, "multi-user.target.wants/atelier-boot.service"),
      );
      await uninstallService({ root });
      expect(await readFile(path.join(units, "atelier.service"), "utf8")).toBe(foreign);
      expect(await readFile(path.join(units, "lxc.service.d/atelier.conf"), "utf8")).toBe(foreign);
      expect(await readlink(path.join(units, "multi-user.target.wants/atelier-boot.service"))).toBe(
        "/usr/lib/systemd/system/atelier-boot.service",
      );
      // What install wrote goes.
      await rm(path.join(units, "atelier.service"));
      const checkout = path.resolve(import.meta.dirname, "../..");
      await installService({ root, paths: { node: process.execPath, checkout } });
      await uninstallService({ root });
      await expect(stat(path.join(units, "atelier.service"))).rejects.toThrow();
      await expect(stat(path.join(units, "atelier-boot.service"))).rejects.toThrow();
      await expect(readlink(path.join(units, "multi-user.target.wants/atelier.service"))).rejects.toThrow();
    });
  });
});
