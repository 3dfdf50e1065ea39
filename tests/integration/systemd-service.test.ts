import { lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

/**
 * `atelier service install|uninstall|status` run for real (npx atelier, as root) into a host root of its own
 * (ATELIER_HOST_ROOT): the units it writes, the boot start and stop through lxc.service's drop-in only where
 * lxc.service is enabled, and an uninstall that gives everything back. Nothing of this host's /etc is touched, and
 * systemctl is not run (it is only for the real root).
 */
const checkout = path.resolve(import.meta.dirname, "../..");
const atelier = (args: string[], hostRoot: string) =>
  execa("node", ["bin/atelier.js", ...args], {
    cwd: checkout,
    env: { ATELIER_HOST_ROOT: hostRoot },
    reject: false,
  });

const LXC_SERVICE = `[Unit]
Description=LXC Container Initialization and Autoboot Code
After=network.target remote-fs.target lxc-net.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStartPre=/usr/libexec/lxc/lxc-apparmor-load
ExecStart=/usr/libexec/lxc/lxc-containers start
ExecStop=/usr/libexec/lxc/lxc-containers stop

[Install]
WantedBy=multi-user.target
`;

const exists = (file: string) =>
  lstat(file).then(
    () => true,
    () => false,
  );

/** A host root with Debian's lxc.service (enabled or not) and LXC's AppArmor loader. */
const makeRoot = async (lxcEnabled: boolean) => {
  const root = await mkdtemp(path.join(process.env.ATELIER_DATA_DIR ?? "/tmp", "service-root-"));
  await mkdir(path.join(root, "lib/systemd/system"), { recursive: true });
  await writeFile(path.join(root, "lib/systemd/system/lxc.service"), LXC_SERVICE);
  await mkdir(path.join(root, "usr/libexec/lxc"), { recursive: true });
  await writeFile(path.join(root, "usr/libexec/lxc/lxc-apparmor-load"), "#!/bin/sh\n", { mode: 0o755 });
  if (lxcEnabled) await enableLxc(root);
  return root;
};
const enableLxc = async (root: string) => {
  await mkdir(path.join(root, "etc/systemd/system/multi-user.target.wants"), { recursive: true });
  await symlink(
    "/lib/systemd/system/lxc.service",
    path.join(root, "etc/systemd/system/multi-user.target.wants/lxc.service"),
  );
};
const unit = (root: string, name: string) => path.join(root, "etc/systemd/system", name);
const wants = (root: string, name: string) =>
  path.join(root, "etc/systemd/system/multi-user.target.wants", name);

describe("atelier service", () => {
  it("installs atelier.service and lxc.service's drop-in where lxc.service is enabled, and uninstall restores it", async () => {
    const root = await makeRoot(true);
    try {
      expect((await atelier(["service", "status"], root)).exitCode).toBe(3);
      const installed = await atelier(["service", "install"], root);
      expect(installed.exitCode, installed.stderr).toBe(0);
      expect(installed.stderr).toContain("through lxc.service (Atelier's drop-in)");

      const launcher = await readFile(unit(root, "atelier.service"), "utf8");
      expect(launcher).toContain(
        `ExecStart=${process.execPath} --import tsx ${checkout}/server/launcher/main.ts`,
      );
      expect(await readlink(wants(root, "atelier.service"))).toBe("/etc/systemd/system/atelier.service");
      const dropIn = await readFile(unit(root, "lxc.service.d/atelier.conf"), "utf8");
      expect(dropIn).toContain(`ExecStart=\nExecStop=\n`);
      expect(dropIn).toContain(`ExecStart=${process.execPath} ${checkout}/bin/atelier.js boot start\n`);
      expect(dropIn).toContain(`ExecStop=${process.execPath} ${checkout}/bin/atelier.js boot stop --all\n`);
      // Never twice: no boot unit of our own beside lxc.service.
      expect(await exists(unit(root, "atelier-boot.service"))).toBe(false);
      expect(await exists(wants(root, "atelier-boot.service"))).toBe(false);
      // A settings file, commented, written once: the admin's own is never overwritten.
      expect(await readFile(path.join(root, "etc/default/atelier"), "utf8")).toContain("#PORT=3000");
      await writeFile(path.join(root, "etc/default/atelier"), "PORT=8443\n");
      expect((await atelier(["service", "install"], root)).exitCode).toBe(0);
      expect(await readFile(path.join(root, "etc/default/atelier"), "utf8")).toBe("PORT=8443\n");

      const status = await atelier(["service", "status"], root);
      expect(status.exitCode, status.stdout).toBe(0);
      expect(status.stdout).toContain("atelier.service: installed, enabled at boot");
      expect(status.stdout).toContain("through lxc.service");

      const removed = await atelier(["service", "uninstall"], root);
      expect(removed.exitCode, removed.stderr).toBe(0);
      for (const file of [
        unit(root, "atelier.service"),
        wants(root, "atelier.service"),
        unit(root, "lxc.service.d"),
      ]) {
        expect(await exists(file), file).toBe(false);
      }
      // LXC's unit as it was, still enabled; the settings kept.
      expect(await readFile(path.join(root, "lib/systemd/system/lxc.service"), "utf8")).toBe(LXC_SERVICE);
      expect(await exists(wants(root, "lxc.service"))).toBe(true);
      expect(await readFile(path.join(root, "etc/default/atelier"), "utf8")).toBe("PORT=8443\n");
      expect((await atelier(["service", "status"], root)).exitCode).toBe(3);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("installs atelier-boot.service where lxc.service is not enabled, and moves to the drop-in once it is", async () => {
    const root = await makeRoot(false);
    try {
      const installed = await atelier(["service", "install"], root);
      expect(installed.exitCode, installed.stderr).toBe(0);
      expect(installed.stderr).toContain("through atelier-boot.service");
      const boot = await readFile(unit(root, "atelier-boot.service"), "utf8");
      expect(boot).toContain("ExecStartPre=-/usr/libexec/lxc/lxc-apparmor-load\n");
      expect(boot).toContain(`ExecStop=${process.execPath} ${checkout}/bin/atelier.js boot stop --all\n`);
      expect(await readlink(wants(root, "atelier-boot.service"))).toBe(
        "/etc/systemd/system/atelier-boot.service",
      );
      expect(await exists(unit(root, "lxc.service.d"))).toBe(false);

      // lxc.service enabled afterwards: both would start the containers; status says so, install again fixes it.
      await enableLxc(root);
      const twice = await atelier(["service", "status"], root);
      expect(twice.exitCode).toBe(1);
      expect(twice.stdout).toContain("lxc.service is enabled without Atelier's drop-in");
      expect((await atelier(["service", "install"], root)).exitCode).toBe(0);
      expect(await exists(unit(root, "atelier-boot.service"))).toBe(false);
      expect(await exists(wants(root, "atelier-boot.service"))).toBe(false);
      expect(await exists(unit(root, "lxc.service.d/atelier.conf"))).toBe(true);
      expect((await atelier(["service", "status"], root)).exitCode).toBe(0);

      expect((await atelier(["service", "uninstall"], root)).exitCode).toBe(0);
      expect(await exists(path.join(root, "etc/systemd/system/atelier-boot.service"))).toBe(false);
      expect(await exists(unit(root, "lxc.service.d"))).toBe(false);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("keeps another drop-in of lxc.service, and refuses an unknown command", async () => {
    const root = await makeRoot(true);
    try {
      await mkdir(unit(root, "lxc.service.d"), { recursive: true });
      await writeFile(unit(root, "lxc.service.d/local.conf"), "[Service]\nEnvironment=A=1\n");
      expect((await atelier(["service", "install"], root)).exitCode).toBe(0);
      expect((await atelier(["service", "uninstall"], root)).exitCode).toBe(0);
      expect(await readFile(unit(root, "lxc.service.d/local.conf"), "utf8")).toBe(
        "[Service]\nEnvironment=A=1\n",
      );
      expect(await exists(unit(root, "lxc.service.d/atelier.conf"))).toBe(false);
      expect((await atelier(["service", "bogus"], root)).exitCode).toBe(2);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
