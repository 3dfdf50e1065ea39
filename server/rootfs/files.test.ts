import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import {
  chmod,
  chown,
  lchown,
  mkdir,
  mkdtemp,
  readdir,
  rename,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import type * as FsPromises from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AppError } from "../errors";
import { openRootfs, type TTreeEntry } from "./index";

/**
 * The Files tab's uses of the rootfs module, against a hostile guest: links to host paths (absolute and relative,
 * on the way and at the end), loops, a directory swapped for a link mid-walk. Every test checks that the "host"
 * directory beside the rootfs (a canary file and directory) is never read through nor changed.
 */
const hooks = vi.hoisted(() => ({ beforeOpen: null as null | { suffix: string; run: () => Promise<void> } }));
vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof FsPromises>();
  return {
    ...real,
    open: async (where: string, ...rest: [number?, number?]) => {
      const hook = hooks.beforeOpen;
      if (hook && String(where).endsWith(hook.suffix)) {
        hooks.beforeOpen = null;
        await hook.run();
      }
      return real.open(where, ...rest);
    },
  };
});

let top: string;
let root: string;
let host: string;
let canary: string;

/** The host side: the canary's content, mode and owner, and what the host directory holds. */
const hostState = () => {
  const stats = statSync(canary);
  const names = readdirSync(host, { recursive: true }).map(String).sort();
  return `${readFileSync(canary, "utf8")} ${stats.mode.toString(8)} ${stats.uid}:${stats.gid} ${names.join(",")}`;
};

let before: string;

beforeEach(async () => {
  top = await mkdtemp(path.join(os.tmpdir(), "atelier-files-"));
  root = path.join(top, "rootfs");
  host = path.join(top, "host");
  canary = path.join(host, "canary");
  await mkdir(path.join(host, "dir"), { recursive: true });
  await writeFile(canary, "host secret");
  await chmod(canary, 0o600);
  await writeFile(path.join(host, "dir", "inner"), "host inner");
  await mkdir(path.join(root, "etc"), { recursive: true });
  await mkdir(path.join(root, "mnt"), { recursive: true });
  await mkdir(path.join(root, "data", "sub"), { recursive: true });
  await writeFile(path.join(root, "data", "sub", "file"), "guest file");
  await writeFile(path.join(root, "etc", "hosts"), "127.0.0.1 localhost\n");
  // The guest's hostile links: to the host's files by absolute path, and up and out by relative ones.
  await symlink("/etc/shadow", path.join(root, "etc", "evil"));
  await symlink("../../../..", path.join(root, "mnt", "up"));
  await symlink(canary, path.join(root, "etc", "canary"));
  await symlink(`../../host/canary`, path.join(root, "etc", "relative-canary"));
  await symlink(host, path.join(root, "data", "host-dir"));
  await symlink("loop-b", path.join(root, "loop-a"));
  await symlink("loop-a", path.join(root, "loop-b"));
  before = hostState();
});

afterEach(async () => {
  hooks.beforeOpen = null;
  try {
    // Whatever a test did, the host side is as it was.
    expect(hostState()).toBe(before);
  } finally {
    await rm(top, { recursive: true, force: true });
  }
});

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
};

describe("reading", () => {
  it("lists entries with lstat data, links as links with their text", async () => {
    const rootfs = openRootfs(root);
    const { entries, stats } = await rootfs.listEntries("etc");
    expect(stats.isDirectory()).toBe(true);
    const byName = Object.fromEntries(entries.map((entry) => [entry.name, entry]));
    expect(byName.evil?.stats.isSymbolicLink()).toBe(true);
    expect(byName.evil?.linkTarget).toBe("/etc/shadow");
    expect(byName.canary?.linkTarget).toBe(canary);
    expect(byName.hosts?.stats.size).toBe(20);
    expect(byName.hosts?.linkTarget).toBeNull();
    // The root itself lists.
    const all = await rootfs.listEntries("");
    expect(all.entries.map((entry) => entry.name).sort()).toEqual(["data", "etc", "loop-a", "loop-b", "mnt"]);
  });

  it("shows the container's file or nothing behind a link to a host path, never the host's", async () => {
    const rootfs = openRootfs(root);
    expect((await refusal(rootfs.openFile("etc/evil"))).code).toBe("NOT_FOUND");
    expect((await refusal(rootfs.openFile("etc/canary"))).code).toBe("NOT_FOUND");
    expect((await refusal(rootfs.openFile("etc/relative-canary"))).code).toBe("NOT_FOUND");
    expect((await refusal(rootfs.openFile(`mnt/up/${path.relative("/", canary)}`))).code).toBe("NOT_FOUND");
    // The guest's own /etc/shadow is what its link names.
    await writeFile(path.join(root, "etc", "shadow"), "guest shadow");
    const { handle } = await rootfs.openFile("etc/evil");
    try {
      expect(await handle.readFile("utf8")).toBe("guest shadow");
    } finally {
      await handle.close();
    }
    // ../../../.. from mnt stops at the rootfs's top.
    const up = await rootfs.listEntries("mnt/up");
    expect(up.entries.map((entry) => entry.name)).toContain("etc");
    expect(up.entries.map((entry) => entry.name)).not.toContain("host");
    const { stats } = await rootfs.describe("mnt/up/etc/hosts", { followLast: true });
    expect(stats.size).toBe(20);
  });

  it("refuses a loop of links, and describes the last link without following it", async () => {
    const rootfs = openRootfs(root);
    expect((await refusal(rootfs.openFile("loop-a"))).message).toMatch(/too many levels of symbolic links/);
    expect((await refusal(rootfs.listEntries("loop-a/x"))).message).toMatch(/too many levels/);
    const link = await rootfs.describe("loop-a");
    expect(link.stats.isSymbolicLink()).toBe(true);
    expect(link.linkTarget).toBe("loop-b");
  });

  it("refuses a directory swapped for a link to the host between its lstat and its open", async () => {
    const rootfs = openRootfs(root);
    hooks.beforeOpen = {
      suffix: "/sub",
      run: async () => {
        await rename(path.join(root, "data", "sub"), path.join(root, "data", "sub-moved"));
        await symlink(path.join(host, "dir"), path.join(root, "data", "sub"));
      },
    };
    const error = await rootfs.openFile("data/sub/file").then(
      () => null,
      (caught: unknown) => caught as NodeJS.ErrnoException,
    );
    expect(error?.code).toMatch(/ELOOP|ENOTDIR/);
  });

  it("refuses to open anything on proc, whatever the path", async () => {
    const rootfs = openRootfs("/");
    const error = await refusal(rootfs.openFile("proc/self/status"));
    expect(error.message).toMatch(/filesystem Atelier never opens/);
    expect((await refusal(rootfs.listEntries("proc"))).message).toMatch(/filesystem Atelier never opens/);
    expect((await refusal(rootfs.describe("proc/self/status"))).message).toMatch(/filesystem/);
    expect((await refusal(rootfs.writeFile("proc/sys/kernel/hostname", "x"))).message).toMatch(/filesystem/);
    const sysfs = await refusal(openRootfs("/sys").listEntries(""));
    expect(sysfs.message).toMatch(/filesystem Atelier never opens/);
  });

  it("requires others' search on the way and read at the end for readers as others", async () => {
    await chmod(path.join(root, "etc", "hosts"), 0o600);
    const rootfs = openRootfs(root);
    expect((await refusal(rootfs.openFile("etc/hosts", { others: true }))).code).toBe("FORBIDDEN");
    await chmod(path.join(root, "etc", "hosts"), 0o644);
    const { handle } = await rootfs.openFile("etc/hosts", { others: true });
    await handle.close();
    await chmod(path.join(root, "etc"), 0o750);
    expect((await refusal(rootfs.openFile("etc/hosts", { others: true }))).code).toBe("FORBIDDEN");
    expect((await refusal(rootfs.listEntries("etc", { others: true }))).code).toBe("FORBIDDEN");
    await chmod(path.join(root, "etc"), 0o755);
  });
});

describe("walking a tree", () => {
  it("gives links as links, never entering them, and specials as refused", async () => {
    await execa("mkfifo", [path.join(root, "data", "fifo")]);
    const rootfs = openRootfs(root);
    const seen: TTreeEntry[] = [];
    await rootfs.walkTree("data", {}, async (entry) => {
      seen.push(entry);
      if (entry.open) {
        const handle = await entry.open();
        await handle.close();
      }
    });
    const paths = seen.map((entry) => entry.path).sort();
    expect(paths).toEqual(["", "fifo", "host-dir", "sub", "sub/file"]);
    const link = seen.find((entry) => entry.path === "host-dir");
    expect(link?.stats.isSymbolicLink()).toBe(true);
    expect(link?.linkTarget).toBe(host);
    expect(link?.open).toBeNull();
    expect(seen.find((entry) => entry.path === "fifo")?.refused).toBe(true);
  });

  it("does not enter proc", async () => {
    const rootfs = openRootfs("/");
    const seen: string[] = [];
    // /proc is refused at the walk's first opening of it.
    await expect(rootfs.walkTree("proc", {}, () => Promise.resolve(true))).rejects.toThrow(/filesystem/);
    await rootfs.walkTree("", {}, (entry) => {
      seen.push(entry.path);
      if (entry.path === "proc") expect(entry.refused).toBe(true);
      return Promise.resolve(entry.path === "");
    });
    expect(seen).toContain("proc");
  });
});

describe("changing", () => {
  it("writes atomically over a link instead of through it, relative or absolute", async () => {
    const rootfs = openRootfs(root);
    for (const name of ["etc/evil", "etc/canary", "etc/relative-canary"]) {
      const stats = await rootfs.writeStream(name, [Buffer.from("new "), Buffer.from("content")], {
        newOwner: { uid: 100000, gid: 100000 },
      });
      expect(stats.isFile()).toBe(true);
      expect(lstatSync(path.join(root, name)).isFile()).toBe(true);
      expect(readFileSync(path.join(root, name), "utf8")).toBe("new content");
      expect(lstatSync(path.join(root, name)).uid).toBe(100000);
      expect(lstatSync(path.join(root, name)).mode & 0o7777).toBe(0o644);
    }
    // Through mnt/up, the rootfs's top.
    await rootfs.writeStream("mnt/up/mnt/up/top-file", [Buffer.from("x")]);
    expect(readFileSync(path.join(root, "top-file"), "utf8")).toBe("x");
    expect(await readdir(top)).toEqual(expect.arrayContaining(["host", "rootfs"]));
    expect(await readdir(top)).toHaveLength(2);
  });

  it("keeps an existing file's mode and owner, and checks the guard before and right before the rename", async () => {
    await chown(path.join(root, "etc", "hosts"), 100005, 100006);
    await chmod(path.join(root, "etc", "hosts"), 0o640);
    const rootfs = openRootfs(root);
    let calls = 0;
    await rootfs.writeStream("etc/hosts", [Buffer.from("x")], {
      newOwner: { uid: 100000, gid: 100000 },
      guard: (existing) => {
        calls += 1;
        expect(existing?.isFile()).toBe(true);
      },
    });
    expect(calls).toBe(2);
    const stats = lstatSync(path.join(root, "etc", "hosts"));
    expect([stats.uid, stats.gid, stats.mode & 0o7777]).toEqual([100005, 100006, 0o640]);
  });

  it("leaves nothing at the name nor beside it when an upload's size is wrong or its source fails", async () => {
    const rootfs = openRootfs(root);
    const short = await refusal(rootfs.writeStream("data/up", [Buffer.from("abc")], { size: 5 }));
    expect(short.message).toMatch(/sent 3 bytes instead of the 5/);
    const long = await refusal(rootfs.writeStream("data/up", [Buffer.from("abcdef")], { size: 5 }));
    expect(long.message).toMatch(/instead of the 5/);
    async function* failing() {
      yield Buffer.from("part");
      await Promise.resolve();
      throw new Error("connection lost");
    }
    await expect(rootfs.writeStream("data/up", failing())).rejects.toThrow("connection lost");
    expect((await readdir(path.join(root, "data"))).sort()).toEqual(["host-dir", "sub"]);
  });

  it("makes a directory with its mode and owner, and refuses one that exists", async () => {
    const rootfs = openRootfs(root);
    const stats = await rootfs.makeDirectory("data/new", { mode: 0o2775, uid: 100000, gid: 100001 });
    expect(stats.mode & 0o7777).toBe(0o2775);
    expect([stats.uid, stats.gid]).toEqual([100000, 100001]);
    expect((await refusal(rootfs.makeDirectory("data/new", { mode: 0o755 }))).code).toBe("CONFLICT");
    // mnt/up is a link: a directory is not made through it at the name.
    expect((await refusal(rootfs.makeDirectory("etc/canary", { mode: 0o755 }))).code).toBe("CONFLICT");
  });

  it("renames links as links, inside the rootfs, never replacing an existing entry", async () => {
    const rootfs = openRootfs(root);
    await rootfs.rename("etc/canary", "mnt/up/moved-link");
    expect(readlinkSync(path.join(root, "moved-link"))).toBe(canary);
    await rootfs.rename("data/host-dir", "data/sub/host-dir");
    expect(readlinkSync(path.join(root, "data", "sub", "host-dir"))).toBe(host);
    expect((await refusal(rootfs.rename("etc/hosts", "etc/evil"))).code).toBe("CONFLICT");
    expect((await refusal(rootfs.rename("etc/nothing", "etc/other"))).code).toBe("NOT_FOUND");
    // A target through a link to the host lands inside the rootfs (its own /tmp/…/host is missing: refused).
    expect((await refusal(rootfs.rename("etc/hosts", `${path.relative("/", host)}/stolen`))).code).toBe(
      "NOT_FOUND",
    );
    expect(readFileSync(path.join(root, "etc", "hosts"), "utf8")).toBe("127.0.0.1 localhost\n");
  });

  it("removes a link as a link, and a tree by its descriptors without following its links", async () => {
    const rootfs = openRootfs(root);
    expect(await rootfs.remove("mnt/up", { recursive: true })).toBe(1);
    expect(existsSync(path.join(root, "etc"))).toBe(true);
    expect(await rootfs.remove("etc/canary", { recursive: false })).toBe(1);
    expect((await refusal(rootfs.remove("data", { recursive: false }))).message).toMatch(/not empty/);
    const guarded: string[] = [];
    expect(
      await rootfs.remove("data", {
        recursive: true,
        guard: (_stats, relative) => {
          guarded.push(relative);
        },
      }),
    ).toBe(4);
    expect(guarded.sort()).toEqual(["data", "data/host-dir", "data/sub", "data/sub/file"]);
    expect(existsSync(path.join(root, "data"))).toBe(false);
  });

  it("stops a removal when the guard refuses an entry", async () => {
    const rootfs = openRootfs(root);
    await expect(
      rootfs.remove("data", {
        recursive: true,
        guard: (stats) => {
          if (stats.isFile()) throw new Error("not yours");
        },
      }),
    ).rejects.toThrow("not yours");
    expect(existsSync(path.join(root, "data", "sub", "file"))).toBe(true);
  });

  it("changes modes and owners by descriptor, a link's own owner only, never its target's", async () => {
    const rootfs = openRootfs(root);
    expect((await refusal(rootfs.setMode("etc/canary", 0o777))).message).toMatch(/symbolic link/);
    await rootfs.setOwner("etc/canary", 100000, 100000);
    expect(lstatSync(path.join(root, "etc", "canary")).uid).toBe(100000);
    await rootfs.setOwner("mnt/up", 100002, 100002);
    expect(lstatSync(path.join(root, "mnt", "up")).uid).toBe(100002);
    const stats = await rootfs.setMode("data/sub/file", 0o4755);
    expect(stats.mode & 0o7777).toBe(0o4755);
    await rootfs.setOwner("data/sub/file", 100000, -1);
    expect(lstatSync(path.join(root, "data", "sub", "file")).uid).toBe(100000);
    // Through the link to the host directory: the rootfs's own (missing) path, not the host's.
    expect((await refusal(rootfs.setMode("data/host-dir/dir/inner", 0o777))).code).toBe("NOT_FOUND");
    expect((await refusal(rootfs.setOwner("etc/evil/x", 0, 0))).code).toBe("NOT_FOUND");
  });

  it("makes and replaces links atomically, the target's text the guest's", async () => {
    const rootfs = openRootfs(root);
    const made = await rootfs.symlink("sbin-init", "/lib/systemd/systemd", { uid: 100000, gid: 100000 });
    expect(made.isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(root, "sbin-init"))).toBe("/lib/systemd/systemd");
    expect(lstatSync(path.join(root, "sbin-init")).uid).toBe(100000);
    await rootfs.symlink("etc/canary", "busybox");
    expect(readlinkSync(path.join(root, "etc", "canary"))).toBe("busybox");
    await rootfs.symlink("etc/hosts", "/etc/hosts.real");
    expect(readlinkSync(path.join(root, "etc", "hosts"))).toBe("/etc/hosts.real");
    expect((await refusal(rootfs.symlink("data", "x"))).message).toMatch(/is a directory/);
    // Through mnt/up: the rootfs's own top.
    await rootfs.symlink("mnt/up/via-up", canary);
    expect(readlinkSync(path.join(root, "via-up"))).toBe(canary);
    expect((await readdir(path.join(root, "etc"))).filter((name) => name.startsWith(".atelier-"))).toEqual(
      [],
    );
    await lchown(path.join(root, "via-up"), 0, 0);
  });
});
