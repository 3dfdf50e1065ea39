import { execa, type ResultPromise } from "execa";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openRootfs } from "./index";

/**
 * A hostile guest's FUSE mount against the rootfs module (found by the review of issue #26). Root in an unprivileged
 * container may mount FUSE (the kernel allows it in a user namespace, and /dev/fuse is a device an operator may
 * give a container), and a running container's files are read through its init's /proc/PID/root: a FUSE server
 * that never answers would make the helper's own lstat, open or statfs of its mount point wait forever, each in
 * one of libuv's few threadpool threads, which every fs call of the root helper shares (the filesystem allow-list
 * cannot help: the lstat and the statfs are what block). The module is given the mount points of filesystems it
 * never touches from the kernel's own /proc/PID/mountinfo, and never looks them up.
 *
 * The stand-in container: a process in a private mount namespace (`unshare --mount`) that mounts FUSE on
 * /dev/fuse's descriptor and never reads it; reached, as a running container is, through its /proc/PID/root.
 * Nothing is mounted in the host's namespace; killing the process ends the mount and any waiting call.
 */
const canRun = process.getuid?.() === 0;

let top: string;
let guest: ResultPromise | null = null;

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise.then(
      () => "settled" as const,
      () => "settled" as const,
    ),
    new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), ms)),
  ]);

beforeEach(async () => {
  if (!canRun) return;
  top = await mkdtemp(path.join(os.tmpdir(), "atelier-fuse-"));
  const fuse = path.join(top, "rootfs", "etc", "fuse");
  await mkdir(fuse, { recursive: true });
  await writeFile(path.join(top, "rootfs", "etc", "hosts"), "127.0.0.1 localhost\n");
  guest = execa(
    "unshare",
    [
      "--mount",
      "--propagation",
      "private",
      "sh",
      "-c",
      'exec 3<>/dev/fuse && mount -i -t fuse -o fd=3,rootmode=40000,user_id=0,group_id=0 guest-fuse "$1" && echo mounted && exec sleep 600',
      "sh",
      fuse,
    ],
    { stdin: "ignore", stdout: "pipe", stderr: "inherit", reject: false, buffer: false },
  );
  await new Promise<void>((resolve, reject) => {
    guest?.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("mounted")) resolve();
    });
    guest?.on("exit", (code) => reject(new Error(`the FUSE stand-in exited (${code})`)));
  });
});

afterEach(async () => {
  guest?.kill("SIGKILL");
  guest = null;
  if (top) await rm(top, { recursive: true, force: true });
});

/** The stand-in's files as the helper opens a running container's: its root, judged by its mountinfo. */
const guestRootfs = async () => {
  const pid = guest?.pid ?? 0;
  expect(await readFile(`/proc/${pid}/mountinfo`, "utf8")).toContain(path.join(top, "rootfs", "etc", "fuse"));
  return openRootfs(`/proc/${pid}/root${path.join(top, "rootfs")}`, { mountinfo: `/proc/${pid}/mountinfo` });
};

describe.skipIf(!canRun)("a guest's FUSE mount", () => {
  it("is left out of a listing of the directory it is mounted in, which does not hang", async () => {
    const rootfs = await guestRootfs();
    const listing = rootfs.listEntries("etc");
    expect(await within(listing, 3000)).toBe("settled");
    expect((await listing).entries.map((entry) => entry.name)).toEqual(["hosts"]);
  });

  it("is refused at once on a walk, and cannot take the helper's threadpool", async () => {
    const rootfs = await guestRootfs();
    const calls = Array.from({ length: 8 }, () =>
      rootfs.describe("etc/fuse/x").then(
        () => "answered",
        (error: Error) => error.message,
      ),
    );
    for (const call of calls) expect(await within(call, 3000)).toBe("settled");
    expect(await calls[0]).toMatch(/filesystem Atelier never opens/);
    expect(await within(stat("/"), 3000)).toBe("settled");
  });
});
