import {
  chmod,
  lchown,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execaSync } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shiftedId, shiftTree, type TIdShift } from "./shift";

/**
 * The shifter against a hostile tree in a temporary directory (root only: it chowns). What a guest could plant:
 * a link to a host file, a setuid program, hard links, a device node, a FIFO, an owner outside the range, a deep
 * tree; ACLs and file capabilities when Debian's acl and libcap2-bin are installed.
 */
const asRoot = process.getuid?.() === 0;
const R = 1000000;
const S = 1065536;
const toR: TIdShift = { from: 0, to: R, count: 65536 };

const owner = async (file: string) => {
  const info = await lstat(file);
  return [info.uid, info.gid];
};
const has = (program: string) => {
  try {
    execaSync(program, ["-h"], { stdio: "ignore" });
    return true;
  } catch (error) {
    return (error as { exitCode?: number }).exitCode !== undefined;
  }
};

describe.skipIf(!asRoot)("shiftTree", () => {
  let dir = "";
  let root = "";
  let passwdBefore = { uid: 0, gid: 0, mode: 0, text: "" };
  const at = (relative: string) => path.join(root, relative);
  const DEPTH = 300;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "atelier-test-shift-"));
    root = path.join(dir, "rootfs");
    await mkdir(at("etc"), { recursive: true });
    await writeFile(at("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
    // A link to the host's /etc/passwd (absolute: the host's, seen from the helper), and one to a directory.
    await symlink("/etc/passwd", at("etc/shadow"));
    await symlink("/etc", at("hostetc"));
    await mkdir(at("bin"));
    await writeFile(at("bin/su"), "#!/bin/true\n");
    await chmod(at("bin/su"), 0o4755);
    await writeFile(at("bin/wall"), "#!/bin/true\n");
    await lchown(at("bin/wall"), 0, 5);
    await chmod(at("bin/wall"), 0o2755);
    await link(at("bin/su"), at("bin/su-again"));
    execaSync("mknod", [at("null"), "c", "1", "3"]);
    execaSync("mkfifo", [at("fifo")]);
    await writeFile(at("stray"), "x");
    await lchown(at("stray"), 70000, 1000);
    await writeFile(at("stray-setuid"), "x");
    await lchown(at("stray-setuid"), 5000000, 0);
    await chmod(at("stray-setuid"), 0o4755);
    await mkdir(at("home/user"), { recursive: true });
    await writeFile(at("home/user/file"), "x");
    await lchown(at("home/user/file"), 1000, 1000);
    await lchown(at("home/user"), 1000, 1000);
    await symlink("file", at("home/user/link"));
    await lchown(at("home/user/link"), 1000, 1000);
    let deep = at("deep");
    for (let level = 0; level < DEPTH; level += 1) deep = path.join(deep, "d");
    // Deeper than PATH_MAX allows in one path: made by parts.
    const parts = path.relative(root, deep).split("/");
    for (let index = 0; index < parts.length; index += 50)
      await mkdir(path.join(root, ...parts.slice(0, index + 50)), { recursive: true });
    const passwd = await stat("/etc/passwd");
    passwdBefore = {
      uid: passwd.uid,
      gid: passwd.gid,
      mode: passwd.mode,
      text: await readFile("/etc/passwd", "utf8"),
    };
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("maps ids in the range, already shifted ones kept, others to the target's nobody", () => {
    expect(shiftedId(toR, 0)).toEqual({ id: R, outside: false });
    expect(shiftedId(toR, 65535)).toEqual({ id: R + 65535, outside: false });
    expect(shiftedId(toR, R + 7)).toEqual({ id: R + 7, outside: false });
    expect(shiftedId(toR, 70000)).toEqual({ id: R + 65534, outside: true });
    expect(shiftedId({ from: R, to: 0, count: 65536 }, 0)).toEqual({ id: 0, outside: false });
  });

  it("shifts a hostile tree to a range and back, without following a link or leaving the tree", async () => {
    const seen: [number, number][] = [];
    const result = await shiftTree(root, toR, {
      onProgress: (done, total) => seen.push([done, total]),
      progressEveryMs: 0,
    });
    // The host's file is untouched; the links themselves are shifted.
    const passwd = await stat("/etc/passwd");
    expect({ uid: passwd.uid, gid: passwd.gid, mode: passwd.mode }).toEqual({
      uid: passwdBefore.uid,
      gid: passwdBefore.gid,
      mode: passwdBefore.mode,
    });
    expect(await readFile("/etc/passwd", "utf8")).toBe(passwdBefore.text);
    expect((await stat("/etc")).uid).toBe(0);
    expect(await owner(at("etc/shadow"))).toEqual([R, R]);
    expect(await owner(at("hostetc"))).toEqual([R, R]);
    expect(await owner(root)).toEqual([R, R]);
    // Setuid and setgid kept; hard links shifted once (not twice, not back).
    expect(((await stat(at("bin/su"))).mode & 0o7777).toString(8)).toBe("4755");
    expect(((await stat(at("bin/wall"))).mode & 0o7777).toString(8)).toBe("2755");
    expect(await owner(at("bin/wall"))).toEqual([R, R + 5]);
    expect(await owner(at("bin/su-again"))).toEqual([R, R]);
    expect(result.hardLinks).toBe(1);
    // Device and FIFO shifted (not opened: the walk would hang on a FIFO).
    expect(await owner(at("null"))).toEqual([R, R]);
    expect((await lstat(at("null"))).isCharacterDevice()).toBe(true);
    expect(await owner(at("fifo"))).toEqual([R, R]);
    // Outside the range: the target's nobody, a stray setuid bit not kept.
    expect(await owner(at("stray"))).toEqual([R + 65534, R + 1000]);
    expect(await owner(at("stray-setuid"))).toEqual([R + 65534, R]);
    expect((await stat(at("stray-setuid"))).mode & 0o7000).toBe(0);
    expect(result.outside.count).toBe(2);
    expect(result.outside.sample.join(" ")).toContain("/stray (70000:1000)");
    expect(await owner(at("home/user/file"))).toEqual([R + 1000, R + 1000]);
    expect(await owner(at("home/user/link"))).toEqual([R + 1000, R + 1000]);
    let deep = "deep";
    for (let level = 0; level < DEPTH; level += 1) deep = path.join(deep, "d");
    const deepest = path.relative(process.cwd(), at(deep));
    expect(execaSync("stat", ["-c", "%u", deepest]).stdout.trim()).toBe(String(R));
    // Every name counted, the progress reached its total.
    expect(result.entries).toBe(17 + DEPTH + 1);
    expect(seen.at(-1)).toEqual([result.entries, result.entries]);
    expect(seen.every(([done, total]) => done <= total)).toBe(true);

    // Again: nothing left to shift. To S and back to 0: every owner as it was (but the strays, now nobody).
    expect((await shiftTree(root, toR)).shifted).toBe(0);
    await shiftTree(root, { from: R, to: S, count: 65536 });
    expect(await owner(at("home/user/file"))).toEqual([S + 1000, S + 1000]);
    expect(((await stat(at("bin/su"))).mode & 0o7777).toString(8)).toBe("4755");
    await shiftTree(root, { from: S, to: 0, count: 65536 });
    expect(await owner(at("home/user/file"))).toEqual([1000, 1000]);
    expect(await owner(at("bin/wall"))).toEqual([0, 5]);
    expect(await owner(at("stray"))).toEqual([65534, 1000]);
    expect(((await stat(at("bin/su"))).mode & 0o7777).toString(8)).toBe("4755");
  });

  it("leaves other mounts alone", async () => {
    const inner = at("mnt");
    await mkdir(inner);
    await writeFile(path.join(dir, "outside-file"), "x");
    await mkdir(path.join(dir, "outside"));
    await writeFile(path.join(dir, "outside", "f"), "x");
    try {
      execaSync("mount", ["--bind", path.join(dir, "outside"), inner]);
    } catch {
      return; // no mount here (a namespace without CAP_SYS_ADMIN): nothing to check
    }
    try {
      const result = await shiftTree(root, toR);
      expect(result.otherMounts).toEqual(["/mnt"]);
      expect(await owner(path.join(dir, "outside", "f"))).toEqual([0, 0]);
    } finally {
      execaSync("umount", [inner]);
      await shiftTree(root, { from: R, to: 0, count: 65536 });
    }
  });

  it("refuses a root that is a link, and stops when cancelled", async () => {
    await symlink(root, path.join(dir, "root-link"));
    await expect(shiftTree(path.join(dir, "root-link"), toR)).rejects.toThrow(/symbolic link/);
    const controller = new AbortController();
    controller.abort();
    await expect(shiftTree(root, toR, { signal: controller.signal })).rejects.toThrow(/cancelled/);
    expect(await owner(at("home/user/file"))).toEqual([1000, 1000]);
  });

  it.skipIf(!has("/usr/bin/setfacl") || !has("/usr/sbin/setcap"))(
    "shifts ACLs' named users and groups, and file capabilities' root id",
    async () => {
      const tree = path.join(dir, "acl");
      await mkdir(path.join(tree, "log"), { recursive: true });
      execaSync("setfacl", ["-m", "g:4:rx,u:1000:rwx,d:g:4:rx", path.join(tree, "log")]);
      await writeFile(path.join(tree, "ping"), await readFile("/bin/true"));
      execaSync("setcap", ["cap_net_raw=ep", path.join(tree, "ping")]);
      await writeFile(path.join(tree, "with space"), await readFile("/bin/true"));
      execaSync("setcap", ["cap_net_raw=ep", path.join(tree, "with space")]);
      const result = await shiftTree(tree, toR);
      expect(result).toMatchObject({ acls: 1, capabilities: 2, notShifted: [] });
      const acl = execaSync("getfacl", ["-n", "-p", path.join(tree, "log")]).stdout;
      expect(acl).toContain(`group:${R + 4}:r-x`);
      expect(acl).toContain(`user:${R + 1000}:rwx`);
      expect(acl).toContain(`default:group:${R + 4}:r-x`);
      expect(execaSync("getcap", ["-n", path.join(tree, "ping")]).stdout).toContain(`[rootid=${R}]`);
      expect(execaSync("getcap", ["-n", path.join(tree, "with space")]).stdout).toContain(`[rootid=${R}]`);
      await shiftTree(tree, { from: R, to: 0, count: 65536 });
      expect(execaSync("getcap", ["-n", path.join(tree, "ping")]).stdout.trim()).toMatch(
        /ping cap_net_raw=ep$/,
      );
      expect(execaSync("getfacl", ["-n", "-p", path.join(tree, "log")]).stdout).toContain("group:4:r-x");
    },
  );

  it("says what it could not shift without the tools", async () => {
    const tree = path.join(dir, "notools");
    await mkdir(tree);
    const none = "/nonexistent/tool" as const;
    const result = await shiftTree(tree, toR, {
      tools: { getfacl: none, setfacl: none, getcap: none, setcap: none },
    });
    expect(result.notShifted.join("\n")).toMatch(/ACLs: not read.*package acl/);
    expect(result.notShifted.join("\n")).toMatch(/File capabilities: not read.*libcap2-bin/);
    expect(await owner(tree)).toEqual([R, R]);
  });
});
