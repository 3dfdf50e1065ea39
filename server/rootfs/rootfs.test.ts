import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { chown, lchown, mkdir, mkdtemp, readdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import type * as FsPromises from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AppError } from "../errors";
import { openRootfs } from "./index";

/**
 * The guest's moves in the window between two of the module's calls (a swap between lstat and open, a directory
 * made between lstat and mkdir), which no real race hits on cue: a hook runs, once, just before the module's
 * `open`, `mkdir` or `lstat` of a path ending in `suffix` (after `skip` such calls), then the real call. Every other
 * call goes straight to node:fs/promises.
 */
type THook = { call: "open" | "mkdir" | "lstat"; suffix: string; skip?: number; run: () => Promise<void> };
const hooks = vi.hoisted(() => ({ pending: [] as THook[] }));
vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof FsPromises>();
  const hooked =
    <A extends unknown[], R>(call: THook["call"], original: (where: string, ...rest: A) => Promise<R>) =>
    async (where: string, ...rest: A): Promise<R> => {
      const hook = hooks.pending.find((each) => each.call === call && String(where).endsWith(each.suffix));
      if (hook && (hook.skip ?? 0) > 0) hook.skip = (hook.skip ?? 0) - 1;
      else if (hook) {
        hooks.pending.splice(hooks.pending.indexOf(hook), 1);
        await hook.run();
      }
      return original(where, ...rest);
    };
  return {
    ...real,
    open: hooked("open", real.open),
    mkdir: hooked("mkdir", real.mkdir),
    lstat: hooked("lstat", real.lstat),
  };
});

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
/** Paths made immutable (chattr +i) by a test, made mutable again before the clean-up. */
let immutable: string[] = [];
/** What the process still holds open under the test's directory: every call must close all it opened. */
const openUnderTop = () =>
  readdirSync("/proc/self/fd").flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target === top || target.startsWith(`${top}/`) ? [target] : [];
    } catch {
      return [];
    }
  });
afterEach(async () => {
  const leaked = openUnderTop();
  hooks.pending = [];
  for (const each of immutable) await execa("chattr", ["-i", each]);
  immutable = [];
  await rm(top, { recursive: true, force: true });
  expect(leaked).toEqual([]);
});

const makeImmutable = async (where: string) => {
  await execa("chattr", ["+i", where]);
  immutable.push(where);
};

const HINT = "Fix the path inside the container (it may have been replaced by the guest), then try again.";
/** The error a refused path throws, word for word. */
const refusal = (relative: string, why: string) => ({
  name: "AppError",
  code: "BAD_REQUEST",
  message: `${relative} in the container's root filesystem ${why}: Atelier will not touch it from the host`,
  hint: HINT,
});
const notFound = (relative: string) => ({
  name: "AppError",
  code: "NOT_FOUND",
  message: `${relative} does not exist in the container's root filesystem`,
  hint: undefined,
});
const modeOf = (relative: string) => lstatSync(path.join(root, relative)).mode & 0o7777;

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

describe("the walk through the rootfs", () => {
  it("refuses the rootfs itself, however the path says it, with the exact error", async () => {
    await symlink("/", path.join(root, "toroot"));
    const fs = openRootfs(root);
    for (const relative of ["", ".", "./.", "/", "..", "../..", "./../."])
      await expect(fs.writeFile(relative, "x")).rejects.toMatchObject(
        refusal(relative, "is the root filesystem itself"),
      );
    // A path that climbs back to the top only after a component.
    for (const relative of ["etc/..", "etc/../etc/.."])
      await expect(fs.writeFile(relative, "x")).rejects.toMatchObject(
        refusal(relative, "resolves to the root filesystem itself"),
      );
    await expect(fs.readFile("toroot")).rejects.toMatchObject(
      refusal("toroot", "is a link to the root filesystem itself"),
    );
    await expect(fs.mkdir("toroot", { mode: 0o755 })).rejects.toBeInstanceOf(AppError);
    expect(existsSync(path.join(top, "x"))).toBe(false);
    expect((await readdir(root)).sort()).toEqual(["etc", "toroot"]);
  });

  it("skips empty and . components, and a trailing slash", async () => {
    const fs = openRootfs(root);
    await fs.writeFile("etc/hostname/", "h\n");
    await fs.writeFile("/./etc/.//motd/.", "m\n");
    expect(readFileSync(path.join(root, "etc/hostname"), "utf8")).toBe("h\n");
    expect(readFileSync(path.join(root, "etc/motd"), "utf8")).toBe("m\n");
    expect(await fs.kind("etc/.")).toBe("directory");
  });

  it("says which path does not exist, with NOT_FOUND", async () => {
    const fs = openRootfs(root);
    await expect(fs.writeFile("missing/x", "x")).rejects.toMatchObject(notFound("missing/x"));
    await expect(fs.chmod("etc/missing/x", 0o600)).rejects.toMatchObject(notFound("etc/missing/x"));
    await expect(fs.chown("missing/x", 0, 0)).rejects.toMatchObject(notFound("missing/x"));
    await expect(fs.clearModeBits("missing/x", 0o6000)).rejects.toMatchObject(notFound("missing/x"));
    // The last component missing: the call itself says so (an lstat or open of nothing).
    await expect(fs.chmod("etc/missing", 0o600)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("refuses a path through a file, a FIFO or a device", async () => {
    await writeFile(path.join(root, "file"), "x");
    await execa("mkfifo", [path.join(root, "fifo")]);
    await execa("mknod", [path.join(root, "null"), "c", "1", "3"]);
    const fs = openRootfs(root);
    for (const relative of ["file/x", "fifo/x", "null/x", "file/x/y"])
      await expect(fs.writeFile(relative, "x")).rejects.toMatchObject(
        refusal(relative, "goes through something that is not a directory"),
      );
    await expect(fs.mkdir("file/x", { mode: 0o755 })).rejects.toMatchObject(
      refusal("file/x", "goes through something that is not a directory"),
    );
  });

  it("follows a chain of links, absolute and relative, in and out of directories, inside the rootfs", async () => {
    await mkdir(path.join(root, "usr/lib/mods"), { recursive: true });
    await mkdir(path.join(root, "a/b"), { recursive: true });
    await writeFile(path.join(root, "usr/lib/mods/m"), "module\n");
    await symlink("/a/b/step", path.join(root, "lib"));
    await symlink("../../usr/../usr/lib2", path.join(root, "a/b/step"));
    await symlink("lib", path.join(root, "usr/lib2"));
    const fs = openRootfs(root);
    expect((await fs.readFile("lib/mods/m"))?.toString()).toBe("module\n");
    expect(await fs.kind("lib")).toBe("directory");
    expect(await fs.list("lib/mods")).toEqual(["m"]);
    await fs.writeFile("lib/mods/n", "new\n");
    expect(readFileSync(path.join(root, "usr/lib/mods/n"), "utf8")).toBe("new\n");
  });

  it("follows 40 links in a row and refuses the 41st, as the kernel does", async () => {
    await mkdir(path.join(root, "chain"));
    await writeFile(path.join(root, "chain/end"), "end\n");
    // l0 -> /chain/l1 -> l2 -> ... -> l40 -> end: 41 links from l0, 40 from l1.
    for (let i = 0; i <= 40; i++)
      await symlink(
        i === 40 ? "end" : i % 2 === 0 ? `/chain/l${i + 1}` : `l${i + 1}`,
        path.join(root, `chain/l${i}`),
      );
    const fs = openRootfs(root);
    expect((await fs.readFile("chain/l1"))?.toString()).toBe("end\n");
    await expect(fs.readFile("chain/l0")).rejects.toMatchObject(
      refusal("chain/l0", "has too many levels of symbolic links"),
    );
    await expect(fs.writeFile("chain/l0/x", "x")).rejects.toMatchObject(
      refusal("chain/l0/x", "has too many levels of symbolic links"),
    );
    expect(await fs.kind("chain/l1")).toBe("file");
    expect(await fs.kind("chain/l0")).toBeNull();
  });

  it("refuses a link to itself and a loop of links, wherever it is met", async () => {
    await symlink("self", path.join(root, "self"));
    await mkdir(path.join(root, "d"));
    await symlink("../d/../e", path.join(root, "d/loop"));
    await symlink("/d/loop", path.join(root, "e"));
    const fs = openRootfs(root);
    for (const relative of ["self", "d/loop", "e"]) {
      await expect(fs.readFile(relative)).rejects.toMatchObject(
        refusal(relative, "has too many levels of symbolic links"),
      );
      await expect(fs.mkdir(`${relative}/x`, { mode: 0o755 })).rejects.toMatchObject(
        refusal(`${relative}/x`, "has too many levels of symbolic links"),
      );
      expect(await fs.kind(relative)).toBeNull();
      expect((await fs.lstat(relative))?.isSymbolicLink()).toBe(true);
    }
  });

  it("reports an error other than a missing component as it is, never as nothing there", async () => {
    const fs = openRootfs(root);
    const long = "n".repeat(256);
    await expect(fs.readFile(long)).rejects.toMatchObject({ code: "ENAMETOOLONG" });
    await expect(fs.kind(`etc/${long}`)).rejects.toMatchObject({ code: "ENAMETOOLONG" });
    await expect(fs.lstat(`${long}/x`)).rejects.toMatchObject({ code: "ENAMETOOLONG" });
    await expect(fs.list(long)).rejects.toMatchObject({ code: "ENAMETOOLONG" });
  });

  it("makes the missing directories on the way with the mode asked for (less the umask), the last with it exactly", async () => {
    const umask = Number.parseInt(
      /^Umask:\s+([0-7]+)$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? "",
      8,
    );
    const fs = openRootfs(root);
    await fs.mkdir("p/q/r", { mode: 0o711 });
    expect(modeOf("p")).toBe(0o711 & ~umask);
    expect(modeOf("p/q")).toBe(0o711 & ~umask);
    expect(modeOf("p/q/r")).toBe(0o711);
  });

  it("makes the directories on the way inside the rootfs when a link points to the host", async () => {
    const before = await snapshot(host);
    await symlink(host, path.join(root, "opt"));
    const fs = openRootfs(root);
    await fs.mkdir("opt/new/dir", { mode: 0o700 });
    expect(statSync(path.join(root, host, "new/dir")).isDirectory()).toBe(true);
    expect(await snapshot(host)).toEqual(before);
  });

  it("goes on when a directory on the way appears between its lstat and its mkdir, following it inside the rootfs if it is a link", async () => {
    const fs = openRootfs(root);
    hooks.pending.push({ call: "mkdir", suffix: "/made", run: () => mkdir(path.join(root, "made")) });
    await fs.mkdir("made/sub", { mode: 0o700 });
    expect(statSync(path.join(root, "made/sub")).isDirectory()).toBe(true);
    // The guest's link in the window is followed as any other: inside the rootfs.
    const before = await snapshot(host);
    hooks.pending.push({
      call: "mkdir",
      suffix: "/planted",
      run: () => symlink(host, path.join(root, "planted")),
    });
    await fs.mkdir("planted/sub", { mode: 0o700 });
    expect(await snapshot(host)).toEqual(before);
    expect(statSync(path.join(root, host, "sub")).isDirectory()).toBe(true);
    expect(hooks.pending).toEqual([]);
  });

  it("fails with the system's error when a directory on the way cannot be made", async () => {
    await mkdir(path.join(root, "locked"));
    await makeImmutable(path.join(root, "locked"));
    const fs = openRootfs(root);
    await expect(fs.mkdir("locked/a/b", { mode: 0o755 })).rejects.toMatchObject({ code: "EPERM" });
    await expect(fs.writeFile("locked/a/b", "x")).rejects.toMatchObject(notFound("locked/a/b"));
  });
});

describe("kind", () => {
  it("names what is at a path, the last link followed inside the rootfs", async () => {
    await mkdir(path.join(root, "real"));
    await writeFile(path.join(root, "real/file"), "x");
    await symlink("/real", path.join(root, "alias"));
    await symlink("real/file", path.join(root, "file-link"));
    await symlink(path.join(host, "etc/shadow"), path.join(root, "host-link"));
    await symlink("/nowhere", path.join(root, "dangling"));
    await execa("mkfifo", [path.join(root, "fifo")]);
    await execa("mknod", [path.join(root, "null"), "c", "1", "3"]);
    const fs = openRootfs(root);
    expect(await fs.kind("alias")).toBe("directory");
    expect(await fs.kind("alias/file")).toBe("file");
    expect(await fs.kind("file-link")).toBe("file");
    expect(await fs.kind("host-link")).toBeNull();
    expect(await fs.kind("dangling")).toBeNull();
    expect(await fs.kind("fifo")).toBe("other");
    expect(await fs.kind("null")).toBe("other");
    expect(await fs.kind("")).toBeNull();
    expect(await fs.kind("real/file/x")).toBeNull();
  });

  it("calls a socket other, and writeFile and readFile refuse it", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path.join(root, "sock"), resolve));
    try {
      const fs = openRootfs(root);
      expect(await fs.kind("sock")).toBe("other");
      await expect(fs.writeFile("sock", "x")).rejects.toMatchObject(
        refusal("sock", "is a device, socket or FIFO"),
      );
      await expect(fs.readFile("sock")).rejects.toMatchObject(refusal("sock", "is a device, socket or FIFO"));
      await expect(fs.list("sock")).rejects.toMatchObject(refusal("sock", "is a device, socket or FIFO"));
      await expect(fs.chown("sock", 1000, 1000)).rejects.toMatchObject(
        refusal("sock", "is a device, socket or FIFO"),
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("lstat", () => {
  it("reports the last component as it is, a link as a link, the directories on the way followed inside the rootfs", async () => {
    await mkdir(path.join(root, "usr/lib"), { recursive: true });
    await writeFile(path.join(root, "usr/lib/libc.so"), "elf");
    await symlink("usr/lib", path.join(root, "lib"));
    await symlink(path.join(host, "etc/shadow"), path.join(root, "etc/shadow"));
    await execa("mknod", [path.join(root, "null"), "c", "1", "3"]);
    await execa("mkfifo", [path.join(root, "fifo")]);
    const fs = openRootfs(root);
    const link = await fs.lstat("etc/shadow");
    expect(link?.isSymbolicLink()).toBe(true);
    expect(link?.ino).toBe(lstatSync(path.join(root, "etc/shadow")).ino);
    expect((await fs.lstat("lib"))?.isSymbolicLink()).toBe(true);
    const file = await fs.lstat("lib/libc.so");
    expect(file?.isFile()).toBe(true);
    expect(file?.ino).toBe(statSync(path.join(root, "usr/lib/libc.so")).ino);
    expect(file?.size).toBe(3);
    expect((await fs.lstat("etc"))?.isDirectory()).toBe(true);
    expect((await fs.lstat("null"))?.isCharacterDevice()).toBe(true);
    expect((await fs.lstat("fifo"))?.isFIFO()).toBe(true);
  });

  it("answers null when the path or a directory on the way is missing, even where a host path exists", async () => {
    await symlink(host, path.join(root, "opt"));
    const fs = openRootfs(root);
    expect(await fs.lstat("missing")).toBeNull();
    expect(await fs.lstat("missing/x/y")).toBeNull();
    expect(await fs.lstat("opt/etc/shadow")).toBeNull();
    expect(await fs.lstat("../host/etc/shadow")).toBeNull();
  });

  it("throws what the walk refuses, and an error other than a missing path", async () => {
    await writeFile(path.join(root, "file"), "x");
    await symlink("b", path.join(root, "a"));
    await symlink("a", path.join(root, "b"));
    const fs = openRootfs(root);
    await expect(fs.lstat("file/x")).rejects.toMatchObject(
      refusal("file/x", "goes through something that is not a directory"),
    );
    await expect(fs.lstat("a/x")).rejects.toMatchObject(
      refusal("a/x", "has too many levels of symbolic links"),
    );
    await expect(fs.lstat("")).rejects.toMatchObject(refusal("", "is the root filesystem itself"));
    // The walk's lstat of etc/hostname is the first, the call's own the second.
    await writeFile(path.join(root, "etc/hostname"), "h\n");
    hooks.pending.push({
      call: "lstat",
      suffix: "/hostname",
      skip: 1,
      run: () => Promise.reject(Object.assign(new Error("EIO: i/o error"), { code: "EIO" })),
    });
    await expect(fs.lstat("etc/hostname")).rejects.toMatchObject({ code: "EIO" });
  });
});

describe("list", () => {
  it("lists a directory's names, links among them unfollowed", async () => {
    await mkdir(path.join(root, "etc/ssh"));
    await writeFile(path.join(root, "etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
    await writeFile(path.join(root, "etc/.hidden"), "");
    await symlink(host, path.join(root, "etc/evil"));
    await symlink("/nowhere", path.join(root, "etc/dangling"));
    const before = await snapshot(host);
    const fs = openRootfs(root);
    expect((await fs.list("etc"))?.sort()).toEqual([".hidden", "dangling", "evil", "passwd", "ssh"]);
    expect(await fs.list("etc/ssh")).toEqual([]);
    expect(await fs.list("./etc/ssh/")).toEqual([]);
    expect(await snapshot(host)).toEqual(before);
  });

  it("follows the directories on the way inside the rootfs, never the listed directory itself", async () => {
    await mkdir(path.join(root, "usr/lib/mods"), { recursive: true });
    await writeFile(path.join(root, "usr/lib/mods/a.ko"), "");
    await symlink("usr/lib", path.join(root, "lib"));
    await symlink(host, path.join(root, "opt"));
    await symlink("/usr/lib/mods", path.join(root, "mods"));
    const fs = openRootfs(root);
    expect(await fs.list("lib/mods")).toEqual(["a.ko"]);
    await expect(fs.list("mods")).rejects.toMatchObject(refusal("mods", "is a symbolic link"));
    await expect(fs.list("opt")).rejects.toMatchObject(refusal("opt", "is a symbolic link"));
    // The host's etc is not the rootfs's: nothing there.
    expect(await fs.list("opt/etc")).toBeNull();
  });

  it("answers null for a missing directory and refuses what is not one", async () => {
    await writeFile(path.join(root, "file"), "x");
    await execa("mkfifo", [path.join(root, "fifo")]);
    await execa("mknod", [path.join(root, "null"), "c", "1", "3"]);
    await symlink("self", path.join(root, "self"));
    const fs = openRootfs(root);
    expect(await fs.list("missing")).toBeNull();
    expect(await fs.list("missing/x")).toBeNull();
    await expect(fs.list("file")).rejects.toMatchObject(refusal("file", "is not a directory"));
    await expect(fs.list("file/x")).rejects.toMatchObject(
      refusal("file/x", "goes through something that is not a directory"),
    );
    await expect(fs.list("fifo")).rejects.toMatchObject(refusal("fifo", "is a device, socket or FIFO"));
    await expect(fs.list("null")).rejects.toMatchObject(refusal("null", "is a device, socket or FIFO"));
    await expect(fs.list("self")).rejects.toMatchObject(refusal("self", "is a symbolic link"));
    await expect(fs.list("self/x")).rejects.toMatchObject(
      refusal("self/x", "has too many levels of symbolic links"),
    );
    await expect(fs.list("")).rejects.toMatchObject(refusal("", "is the root filesystem itself"));
  });
});

describe("opening an entry", () => {
  it("refuses a file swapped between its lstat and its open, and closes what it opened", async () => {
    await writeFile(path.join(root, "etc/victim"), "guest\n");
    const fs = openRootfs(root);
    await execa("mkfifo", [path.join(root, "etc/fifo")]);
    const swap = () => rename(path.join(root, "etc/fifo"), path.join(root, "etc/victim"));
    hooks.pending.push({ call: "open", suffix: "/victim", run: swap });
    await expect(fs.readFile("etc/victim")).rejects.toMatchObject(
      refusal("etc/victim", "changed while it was opened"),
    );
    await writeFile(path.join(root, "etc/other"), "other\n", { mode: 0o600 });
    hooks.pending.push({
      call: "open",
      suffix: "/other",
      run: () => rename(path.join(root, "etc/victim"), path.join(root, "etc/other")),
    });
    await expect(fs.chmod("etc/other", 0o666)).rejects.toMatchObject(
      refusal("etc/other", "changed while it was opened"),
    );
    expect(lstatSync(path.join(root, "etc/other")).isFIFO()).toBe(true);
    expect(modeOf("etc/other")).not.toBe(0o666);
    expect(hooks.pending).toEqual([]);
  });

  it("closes every descriptor it opened, on success and on refusal", async () => {
    await mkdir(path.join(root, "a/b"), { recursive: true });
    await writeFile(path.join(root, "a/b/f"), "f");
    await symlink("/a", path.join(root, "a/b/up"));
    await execa("mkfifo", [path.join(root, "fifo")]);
    const fs = openRootfs(root);
    const settle = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        () => undefined,
      );
    await settle(fs.readFile("a/b/up/b/f"));
    await settle(fs.readFile("a/b"));
    await settle(fs.list("a/b/up/b"));
    await settle(fs.list("a/b/f"));
    await settle(fs.mkdir("a/b/up/c", { mode: 0o700 }));
    await settle(fs.mkdir("a/b/f", { mode: 0o700 }));
    await settle(fs.chmod("a/b/up/b/f", 0o600));
    await settle(fs.chown("a/b/f", 1, 1));
    await settle(fs.clearModeBits("a/b/f", 0o6000));
    await settle(fs.writeFile("a/b/up/b/g", "g"));
    await settle(fs.kind("a/b/up/b/../b/f"));
    await settle(fs.lstat("a/b/up/b/f"));
    await settle(fs.readFile("fifo/x"));
    expect(openUnderTop()).toEqual([]);
  });
});

describe("writeFile", () => {
  it("writes a new file owned by root when only one of uid and gid is given", async () => {
    const fs = openRootfs(root);
    await fs.writeFile("etc/uid-only", "x", { uid: 1000 });
    await fs.writeFile("etc/gid-only", "x", { gid: 1000 });
    expect(statSync(path.join(root, "etc/uid-only"))).toMatchObject({ uid: 0, gid: 0 });
    expect(statSync(path.join(root, "etc/gid-only"))).toMatchObject({ uid: 0, gid: 0 });
  });

  it("takes the owner it is not given from the file it rewrites", async () => {
    await writeFile(path.join(root, "etc/owned"), "x\n");
    await chown(path.join(root, "etc/owned"), 1000, 1001);
    const fs = openRootfs(root);
    await fs.writeFile("etc/owned", "y\n", { uid: 2000 });
    expect(statSync(path.join(root, "etc/owned"))).toMatchObject({ uid: 2000, gid: 1001 });
    await fs.writeFile("etc/owned", "z\n", { gid: 3000 });
    expect(statSync(path.join(root, "etc/owned"))).toMatchObject({ uid: 2000, gid: 3000 });
  });

  it("gives a symlink it replaces the default mode and owner, not the link's or its target's", async () => {
    await symlink(path.join(host, "etc/shadow"), path.join(root, "etc/shadow"));
    await lchown(path.join(root, "etc/shadow"), 1000, 1000);
    const fs = openRootfs(root);
    await fs.writeFile("etc/shadow", "root:x:1::::::\n");
    expect(lstatSync(path.join(root, "etc/shadow"))).toMatchObject({ uid: 0, gid: 0 });
    expect(modeOf("etc/shadow")).toBe(0o644);
    expect(readFileSync(path.join(host, "etc/shadow"), "utf8")).toBe("host-secret\n");
  });

  it("refuses a directory, a device and a FIFO at the name, with the exact error", async () => {
    await execa("mkfifo", [path.join(root, "fifo")]);
    await execa("mknod", [path.join(root, "null"), "c", "1", "3"]);
    const fs = openRootfs(root);
    await expect(fs.writeFile("etc", "x")).rejects.toMatchObject(refusal("etc", "is a directory"));
    await expect(fs.writeFile("fifo", "x")).rejects.toMatchObject(
      refusal("fifo", "is a device, socket or FIFO"),
    );
    await expect(fs.writeFile("null", "x")).rejects.toMatchObject(
      refusal("null", "is a device, socket or FIFO"),
    );
    expect(lstatSync(path.join(root, "fifo")).isFIFO()).toBe(true);
  });
});

describe("mkdir", () => {
  it("chowns a new directory only when both uid and gid are given", async () => {
    const fs = openRootfs(root);
    await fs.mkdir("uid-only", { mode: 0o750, uid: 1000 });
    await fs.mkdir("gid-only", { mode: 0o750, gid: 1000 });
    expect(statSync(path.join(root, "uid-only"))).toMatchObject({ uid: 0, gid: 0 });
    expect(statSync(path.join(root, "gid-only"))).toMatchObject({ uid: 0, gid: 0 });
    expect(modeOf("uid-only")).toBe(0o750);
  });

  it("makes a dangling link's target inside the rootfs, and refuses a FIFO or device at the name", async () => {
    await mkdir(path.join(root, "var"));
    await symlink("/run", path.join(root, "var/run"));
    await symlink(path.join(host, "made"), path.join(root, "made"));
    await execa("mkfifo", [path.join(root, "fifo")]);
    const fs = openRootfs(root);
    await fs.mkdir("var/run", { mode: 0o755 });
    await fs.mkdir("made", { mode: 0o700 });
    expect(lstatSync(path.join(root, "run")).isDirectory()).toBe(true);
    expect(lstatSync(path.join(root, host, "made")).isDirectory()).toBe(true);
    expect(existsSync(path.join(host, "made"))).toBe(false);
    await expect(fs.mkdir("fifo", { mode: 0o755 })).rejects.toMatchObject(
      refusal("fifo", "is a device, socket or FIFO"),
    );
    await writeFile(path.join(root, "file"), "");
    await expect(fs.mkdir("file", { mode: 0o755 })).rejects.toMatchObject(
      refusal("file", "is not a directory"),
    );
  });
});

describe("chmod, chown and clearModeBits", () => {
  it("change a regular file and a directory, following the directories on the way inside the rootfs", async () => {
    await mkdir(path.join(root, "usr/bin"), { recursive: true });
    await writeFile(path.join(root, "usr/bin/su"), "", { mode: 0o6755 });
    await symlink("usr/bin", path.join(root, "bin"));
    await symlink(host, path.join(root, "opt"));
    const fs = openRootfs(root);
    await fs.chmod("bin/su", 0o4711);
    expect(modeOf("usr/bin/su")).toBe(0o4711);
    await fs.chmod("usr", 0o700);
    expect(modeOf("usr")).toBe(0o700);
    await fs.chown("bin/su", 1000, 1001);
    expect(statSync(path.join(root, "usr/bin/su"))).toMatchObject({ uid: 1000, gid: 1001 });
    await fs.chown("usr/bin", 1002, 1003);
    expect(statSync(path.join(root, "usr/bin"))).toMatchObject({ uid: 1002, gid: 1003 });
    const before = await snapshot(host);
    await expect(fs.chmod("opt/etc/shadow", 0o666)).rejects.toMatchObject(notFound("opt/etc/shadow"));
    await expect(fs.chown("opt/authorized_keys", 1000, 1000)).rejects.toMatchObject(
      notFound("opt/authorized_keys"),
    );
    expect(await snapshot(host)).toEqual(before);
  });

  it("clears only the bits asked for, on files and directories", async () => {
    await mkdir(path.join(root, "usr/bin"), { recursive: true });
    await writeFile(path.join(root, "usr/bin/su"), "");
    await execa("chmod", ["6755", path.join(root, "usr/bin/su")]);
    await mkdir(path.join(root, "shared"));
    await execa("chmod", ["3775", path.join(root, "shared")]);
    await symlink("usr/bin", path.join(root, "bin"));
    const fs = openRootfs(root);
    await fs.clearModeBits("bin/su", 0o4000);
    expect(modeOf("usr/bin/su")).toBe(0o2755);
    await fs.clearModeBits("usr/bin/su", 0o6000);
    expect(modeOf("usr/bin/su")).toBe(0o755);
    await fs.clearModeBits("shared", 0o6000);
    expect(modeOf("shared")).toBe(0o1775);
  });

  it("leaves a file alone when it has none of the bits (no chmod at all)", async () => {
    await writeFile(path.join(root, "plain"), "");
    await execa("chmod", ["0755", path.join(root, "plain")]);
    await makeImmutable(path.join(root, "plain"));
    const fs = openRootfs(root);
    await fs.clearModeBits("plain", 0o6000);
    expect(modeOf("plain")).toBe(0o755);
    // An immutable file refuses a chmod: the bits set, the call fails with the system's error.
    await execa("chattr", ["-i", path.join(root, "plain")]);
    await execa("chmod", ["4755", path.join(root, "plain")]);
    await execa("chattr", ["+i", path.join(root, "plain")]);
    await expect(fs.clearModeBits("plain", 0o6000)).rejects.toMatchObject({ code: "EPERM" });
  });

  it("refuse a symlink, a device and a FIFO, with the exact error, and change nothing", async () => {
    await symlink(path.join(host, "etc/shadow"), path.join(root, "link"));
    await symlink("/etc", path.join(root, "dirlink"));
    await execa("mknod", [path.join(root, "null"), "c", "1", "3"]);
    await execa("mkfifo", [path.join(root, "fifo")]);
    await execa("chmod", ["0644", path.join(root, "null"), path.join(root, "fifo")]);
    const before = await snapshot(host);
    const etc = lstatSync(path.join(root, "etc"));
    const fs = openRootfs(root);
    for (const relative of ["link", "dirlink"]) {
      const why = "is a symbolic link";
      await expect(fs.chmod(relative, 0o4777)).rejects.toMatchObject(refusal(relative, why));
      await expect(fs.chown(relative, 1000, 1000)).rejects.toMatchObject(refusal(relative, why));
      await expect(fs.clearModeBits(relative, 0o777)).rejects.toMatchObject(refusal(relative, why));
    }
    for (const relative of ["null", "fifo"]) {
      const why = "is a device, socket or FIFO";
      await expect(fs.chmod(relative, 0o4777)).rejects.toMatchObject(refusal(relative, why));
      await expect(fs.chown(relative, 1000, 1000)).rejects.toMatchObject(refusal(relative, why));
      await expect(fs.clearModeBits(relative, 0o644)).rejects.toMatchObject(refusal(relative, why));
      await expect(fs.chmod(relative, 0o600, { followLast: true })).rejects.toMatchObject(
        refusal(relative, why),
      );
      expect(lstatSync(path.join(root, relative))).toMatchObject({ uid: 0 });
      expect(modeOf(relative)).toBe(0o644);
    }
    expect(lstatSync(path.join(root, "etc"))).toMatchObject({ mode: etc.mode, uid: etc.uid });
    expect(await snapshot(host)).toEqual(before);
  });
});
