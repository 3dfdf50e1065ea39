import { existsSync, lstatSync, readFileSync, statSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openRootfs } from "./index";

/**
 * A guest shapes its root filesystem as it likes: every test plants links at the paths Atelier writes and checks
 * that nothing outside the rootfs (the "host" directory beside it) changes, whatever the link says.
 */
let top: string;
let root: string;
let host: string;

const snapshot = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .map((entry) => {
      const full = path.join(entry.parentPath, entry.name);
      const stats = lstatSync(full);
      const content = entry.isFile() ? readFileSync(full, "utf8") : "";
      return `${path.relative(dir, full)} ${stats.mode.toString(8)} ${stats.uid} ${content}`;
    })
    .sort();
};

beforeEach(async () => {
  top = await mkdtemp(path.join(os.tmpdir(), "atelier-t-rootfs-"));
  root = path.join(top, "rootfs");
  host = path.join(top, "host");
  await mkdir(path.join(root, "etc"), { recursive: true });
  await mkdir(path.join(host, "etc"), { recursive: true });
  await writeFile(path.join(host, "etc/shadow"), "host-secret\n", { mode: 0o600 });
  await writeFile(path.join(host, "authorized_keys"), "host key\n", { mode: 0o600 });
});
afterEach(async () => {
  await rm(top, { recursive: true, force: true });
});

describe("the rootfs module", () => {
  it("writes, reads and makes directories inside the rootfs", async () => {
    const fs = openRootfs(root);
    await fs.mkdir("root/.ssh", { mode: 0o700 });
    await fs.writeFile("root/.ssh/authorized_keys", "ssh-ed25519 AAAA\n", { mode: 0o600 });
    expect(readFileSync(path.join(root, "root/.ssh/authorized_keys"), "utf8")).toBe("ssh-ed25519 AAAA\n");
    expect(statSync(path.join(root, "root/.ssh")).mode & 0o7777).toBe(0o700);
    expect(statSync(path.join(root, "root/.ssh/authorized_keys")).mode & 0o7777).toBe(0o600);
    expect((await fs.readFile("root/.ssh/authorized_keys"))?.toString()).toBe("ssh-ed25519 AAAA\n");
    expect(await fs.readFile("nothing/here")).toBeNull();
    expect(await fs.kind("root")).toBe("directory");
    expect(await fs.kind("missing")).toBeNull();
  });

  it("keeps an existing file's mode and owner when it rewrites it", async () => {
    await writeFile(path.join(root, "etc/shadow"), "root:*:1::::::\n", { mode: 0o640 });
    await openRootfs(root).writeFile("etc/shadow", "root:x:2::::::\n");
    expect(statSync(path.join(root, "etc/shadow")).mode & 0o7777).toBe(0o640);
  });

  it.each([
    ["an absolute link to a host directory", "root", () => host],
    ["a relative link climbing out", "root", () => "../../../../../../../../host"],
    ["a link to the host's /", "root", () => "/"],
    ["a link on the last directory", "root/.ssh", () => host],
  ])("follows %s inside the rootfs, never outside", async (_what, at, target) => {
    const before = await snapshot(top.replace(/$/, "/host"));
    await mkdir(path.dirname(path.join(root, at)), { recursive: true });
    await symlink(target(), path.join(root, at));
    const fs = openRootfs(root);
    await fs.mkdir("root/.ssh", { mode: 0o700 });
    await fs.writeFile("root/.ssh/authorized_keys", "planted?\n", { mode: 0o600 });
    expect(await snapshot(host)).toEqual(before);
    expect((await fs.readFile("root/.ssh/authorized_keys"))?.toString()).toBe("planted?\n");
  });

  it("replaces a symlink at the last component instead of writing through it", async () => {
    await symlink(path.join(host, "etc/shadow"), path.join(root, "etc/shadow"));
    await mkdir(path.join(root, "etc/init.d"));
    await symlink("../../../host/etc/shadow", path.join(root, "etc/init.d/rcS"));
    const fs = openRootfs(root);
    await fs.writeFile("etc/shadow", "root:hash:1::::::\n");
    await fs.writeFile("etc/init.d/rcS", "#!/bin/sh\n", { mode: 0o744 });
    expect(readFileSync(path.join(host, "etc/shadow"), "utf8")).toBe("host-secret\n");
    expect(lstatSync(path.join(root, "etc/shadow")).isFile()).toBe(true);
    expect(lstatSync(path.join(root, "etc/init.d/rcS")).isFile()).toBe(true);
  });

  it("reads through a link only inside the rootfs (absolute targets from its top)", async () => {
    await symlink("/etc/shadow", path.join(root, "shadow-link"));
    const fs = openRootfs(root);
    expect(await fs.readFile("shadow-link")).toBeNull();
    await writeFile(path.join(root, "etc/shadow"), "guest\n");
    expect((await fs.readFile("shadow-link"))?.toString()).toBe("guest\n");
    expect(await fs.readFile("../../../../host/etc/shadow")).toBeNull();
  });

  it("refuses chmod and chown through a symlink, and device nodes, FIFOs and sockets", async () => {
    await symlink(path.join(host, "etc/shadow"), path.join(root, "link"));
    await execa("mknod", [path.join(root, "null"), "c", "1", "3"]);
    await execa("mkfifo", [path.join(root, "fifo")]);
    const fs = openRootfs(root);
    await expect(fs.chmod("link", 0o777)).rejects.toThrow(/symbolic link/);
    await expect(fs.chown("link", 1000, 1000)).rejects.toThrow(/symbolic link/);
    expect(statSync(path.join(host, "etc/shadow")).mode & 0o777).toBe(0o600);
    await expect(fs.writeFile("null", "x")).rejects.toThrow(/device/);
    await expect(fs.readFile("null")).rejects.toThrow(/device/);
    await expect(fs.readFile("fifo")).rejects.toThrow(/device/);
    await expect(fs.chmod("null", 0o666)).rejects.toThrow(/device/);
    expect(await fs.kind("null")).toBe("other");
  });

  it("refuses link loops and the rootfs itself", async () => {
    await symlink("b", path.join(root, "a"));
    await symlink("a", path.join(root, "b"));
    const fs = openRootfs(root);
    await expect(fs.writeFile("a/x", "x")).rejects.toThrow(/levels of symbolic links/);
    await expect(fs.writeFile("", "x")).rejects.toThrow(/root filesystem itself/);
    await expect(fs.writeFile("..", "x")).rejects.toThrow(/root filesystem itself/);
    expect(existsSync(path.join(top, "x"))).toBe(false);
  });
});
