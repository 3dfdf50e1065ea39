import { existsSync, lstatSync, readFileSync, statSync } from "node:fs";
import { chown, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
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

  it("resolves .. inside the path, never above the rootfs", async () => {
    const fs = openRootfs(root);
    await fs.mkdir("a/b", { mode: 0o755 });
    await fs.writeFile("a/b/../c", "c\n");
    expect(readFileSync(path.join(root, "a/c"), "utf8")).toBe("c\n");
    await fs.writeFile("a/b/../../../../../x", "x\n");
    expect(readFileSync(path.join(root, "x"), "utf8")).toBe("x\n");
    expect(existsSync(path.join(top, "x"))).toBe(false);
  });

  it("restarts an absolute link from the rootfs's top, even deep inside it", async () => {
    await mkdir(path.join(root, "deep/er"), { recursive: true });
    await mkdir(path.join(root, "target"));
    await symlink("/target", path.join(root, "deep/er/link"));
    const fs = openRootfs(root);
    await fs.writeFile("deep/er/link/f", "f\n");
    expect(readFileSync(path.join(root, "target/f"), "utf8")).toBe("f\n");
    expect(existsSync(path.join(root, "deep/er/target"))).toBe(false);
    // A relative one continues from where it is.
    await symlink("../er", path.join(root, "deep/er/up"));
    await fs.writeFile("deep/er/up/g", "g\n");
    expect(readFileSync(path.join(root, "deep/er/g"), "utf8")).toBe("g\n");
  });

  it("keeps an existing file's owner on rewrite, and sets a given one", async () => {
    await writeFile(path.join(root, "etc/owned"), "x\n");
    await chown(path.join(root, "etc/owned"), 1000, 1001);
    const fs = openRootfs(root);
    await fs.writeFile("etc/owned", "y\n");
    expect(statSync(path.join(root, "etc/owned"))).toMatchObject({ uid: 1000, gid: 1001 });
    await fs.writeFile("etc/given", "z\n", { uid: 1002, gid: 1003, mode: 0o600 });
    expect(statSync(path.join(root, "etc/given"))).toMatchObject({ uid: 1002, gid: 1003 });
    await fs.writeFile("etc/plain", "p\n");
    expect(statSync(path.join(root, "etc/plain"))).toMatchObject({ uid: 0, gid: 0 });
    expect(statSync(path.join(root, "etc/plain")).mode & 0o7777).toBe(0o644);
  });

  it("makes directories with the mode and owner asked for, past the umask, and leaves existing ones alone", async () => {
    const fs = openRootfs(root);
    await fs.mkdir("tmp", { mode: 0o1777 });
    expect(statSync(path.join(root, "tmp")).mode & 0o7777).toBe(0o1777);
    await fs.mkdir("home/u", { mode: 0o750, uid: 1000, gid: 1000 });
    expect(statSync(path.join(root, "home/u"))).toMatchObject({ uid: 1000, gid: 1000 });
    expect(statSync(path.join(root, "home/u")).mode & 0o7777).toBe(0o750);
    await mkdir(path.join(root, "kept"), { mode: 0o711 });
    await fs.mkdir("kept", { mode: 0o700, uid: 1000, gid: 1000 });
    expect(statSync(path.join(root, "kept"))).toMatchObject({ uid: 0 });
    expect(statSync(path.join(root, "kept")).mode & 0o777).toBe(0o711);
    await writeFile(path.join(root, "file"), "");
    await expect(fs.mkdir("file", { mode: 0o755 })).rejects.toThrow(/not a directory/);
  });

  it("follows a last link inside the rootfs for chmod only when asked", async () => {
    await mkdir(path.join(root, "real"), { mode: 0o755 });
    await symlink("/real", path.join(root, "alias"));
    const fs = openRootfs(root);
    await expect(fs.chmod("alias", 0o700)).rejects.toThrow(/symbolic link/);
    await fs.chmod("alias", 0o700, { followLast: true });
    expect(statSync(path.join(root, "real")).mode & 0o777).toBe(0o700);
    await fs.chown("real", 1000, 1000);
    expect(statSync(path.join(root, "real"))).toMatchObject({ uid: 1000 });
  });

  it("says what is wrong with a path, and answers kind and readFile with null rather than throwing", async () => {
    await writeFile(path.join(root, "file"), "x");
    await symlink("/", path.join(root, "toroot"));
    await mkdir(path.join(root, "dir"));
    const fs = openRootfs(root);
    await fs.writeFile("./etc//hostname", "h\n");
    expect(readFileSync(path.join(root, "etc/hostname"), "utf8")).toBe("h\n");
    await expect(fs.writeFile("missing/x", "x")).rejects.toThrow(/missing\/x does not exist/);
    await expect(fs.writeFile("file/x", "x")).rejects.toThrow(
      /goes through something that is not a directory/,
    );
    await expect(fs.mkdir("toroot", { mode: 0o755 })).rejects.toThrow(/a link to the root filesystem itself/);
    await expect(fs.writeFile("dir", "x")).rejects.toThrow(/is a directory/);
    await expect(fs.readFile("dir")).rejects.toThrow(/is not a regular file/);
    expect(await fs.kind("file/x")).toBeNull();
    expect(await fs.kind("missing/x")).toBeNull();
    expect(await fs.kind("toroot/etc")).toBe("directory");
    expect(await fs.kind("file")).toBe("file");
    expect(await fs.readFile("missing/x")).toBeNull();
  });

  it("leaves no temporary file behind when a write fails", async () => {
    const fs = openRootfs(root);
    await expect(fs.writeFile("etc/bad-owner", "x", { uid: 2 ** 32, gid: 0 })).rejects.toThrow();
    expect((await readdir(path.join(root, "etc"))).filter((name) => name.startsWith(".atelier-"))).toEqual(
      [],
    );
    expect(existsSync(path.join(root, "etc/bad-owner"))).toBe(false);
    await expect(fs.writeFile("../..", "x")).rejects.toThrow(/is the root filesystem itself/);
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
