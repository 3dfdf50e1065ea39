import { execa, type ResultPromise } from "execa";
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openRootfs } from "./index";

/**
 * Second review of issue #26 (files): checkMount compares `readlink /proc/self/fd/N` + name against the mount points
 * of /proc/PID/mountinfo. The two are not the same path space, and the set is a snapshot:
 *
 * 1. readlink of a descriptor opened through /proc/PID/root gives the path from the ROOT OF THE GUEST'S MOUNT
 *    NAMESPACE (d_path cannot reach the helper's root, so it stops at the namespace's root mount), while mountinfo's
 *    fifth field is relative to the PROCESS'S root. A guest whose init is chrooted (its own /sbin/init, or busybox
 *    init's `::restart:` action after `kill -QUIT 1`, no restart of the container needed) makes every path differ:
 *    no unsafe mount ever matches, and the helper's lstat walks into its never-answering FUSE mount.
 * 2. The set is read once per operation (placeOf); a rename of a directory ABOVE a mount point (allowed while the
 *    mount exists) after that read gives the mount a path the set does not have.
 *
 * Each hung lstat holds one of the helper's 16 libuv threads for as long as the guest's FUSE server keeps the
 * request: ~16 listings by a viewer and every fs call of the root helper waits for ever.
 *
 * The stand-in container: a process in a private mount namespace (unshare --mount) that mounts FUSE and never reads
 * it, reached through its /proc/PID/root as placeOf reaches a running container. Killing it ends the hang.
 */
const canRun = process.getuid?.() === 0;

let top = "";
let guest: ResultPromise | null = null;

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise.then(
      () => "settled" as const,
      () => "settled" as const,
    ),
    new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), ms)),
  ]);

/** A guest with a FUSE mount at ROOTFS/d/fuse; `chroot`: its process then chroots into ROOTFS (as a guest init may). */
const startGuest = async ({ chroot }: { chroot: boolean }) => {
  top = await mkdtemp(path.join(os.tmpdir(), "atelier-fuse2-"));
  const rootfs = path.join(top, "rootfs");
  await mkdir(path.join(rootfs, "d", "fuse"), { recursive: true });
  await mkdir(path.join(rootfs, "bin"), { recursive: true });
  await writeFile(path.join(rootfs, "d", "hosts"), "127.0.0.1 localhost\n");
  await copyFile("/usr/bin/busybox", path.join(rootfs, "bin", "busybox"));
  const then = chroot ? `exec chroot "$2" /bin/busybox sleep 600` : "exec sleep 600";
  guest = execa(
    "unshare",
    [
      "--mount",
      "--propagation",
      "private",
      "sh",
      "-c",
      `exec 3<>/dev/fuse && mount -i -t fuse -o fd=3,rootmode=40000,user_id=0,group_id=0 guest-fuse "$1" && echo mounted && ${then}`,
      "sh",
      path.join(rootfs, "d", "fuse"),
      rootfs,
    ],
    { stdin: "ignore", stdout: "pipe", stderr: "inherit", reject: false, buffer: false },
  );
  await new Promise<void>((resolve, reject) => {
    guest?.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("mounted")) resolve();
    });
    guest?.on("exit", (code) => reject(new Error(`the FUSE stand-in exited (${code})`)));
  });
  // Let the chroot happen (the process execs busybox).
  await new Promise((resolve) => setTimeout(resolve, 300));
  return rootfs;
};

afterEach(async () => {
  guest?.kill("SIGKILL");
  guest = null;
  if (top) await rm(top, { recursive: true, force: true });
});

describe.skipIf(!canRun)("checkMount against a guest that shapes the paths (review 2)", () => {
  it("a chrooted init: its FUSE mount is still left out of a listing, which does not hang", async () => {
    await startGuest({ chroot: true });
    const pid = guest?.pid ?? 0;
    // As placeOf does: the init's mountinfo, its /proc/PID/root.
    expect(await readFile(`/proc/${pid}/mountinfo`, "utf8")).toContain(" fuse ");
    const rootfs = openRootfs(`/proc/${pid}/root`, { mountinfo: `/proc/${pid}/mountinfo` });
    const listing = rootfs.listEntries("d");
    expect(await within(listing, 3000)).toBe("settled");
  });

  it("a directory above the mount renamed after the mountinfo read: a walk through it does not hang", async () => {
    const rootfsPath = await startGuest({ chroot: false });
    const pid = guest?.pid ?? 0;
    expect(await readFile(`/proc/${pid}/mountinfo`, "utf8")).toContain(path.join(rootfsPath, "d", "fuse"));
    const rootfs = openRootfs(`/proc/${pid}/root${rootfsPath}`, { mountinfo: `/proc/${pid}/mountinfo` });
    // The guest renames d (not the mount point itself: that is allowed) between the read and the lookup.
    await rename(path.join(rootfsPath, "d"), path.join(rootfsPath, "e"));
    const call = rootfs.describe("e/fuse/x");
    expect(await within(call, 3000)).toBe("settled");
  });
});
