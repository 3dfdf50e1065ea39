import { spawnSync } from "node:child_process";
import { closeSync, openSync, readlinkSync } from "node:fs";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openRootfs } from "./index";

/**
 * Review of issue #26 (files): a hostile guest's FUSE mount against the rootfs module.
 *
 * Root in an unprivileged container may mount FUSE (the kernel allows it in a user namespace since 4.18, and
 * /dev/fuse is among the devices an operator may give a container). A running container's files are read by the
 * helper through its init's /proc/PID/root, so the helper's own lstat/open/statfs reach the guest's FUSE server.
 * A server that never answers (here: none reads /dev/fuse at all) makes each of those calls wait forever in one of
 * libuv's 4 threadpool threads, which every fs call of the root helper shares. SAFE_FILESYSTEMS does not help: the
 * lstat of the mount point (entriesOf, withParent) and the statfs itself are what block.
 *
 * The mount is made in a private mount namespace only: run this file as
 *   unshare --mount --propagation private env ATELIER_TEST_UNSHARED=$(readlink /proc/self/ns/mnt) \
 *     npx vitest run --project unit server/rootfs/fuse-hang.test.ts
 * (the host's namespace passed in; skipped otherwise, so that no test leaves a FUSE mount in the host's namespace).
 */
const isPrivateMountNs =
  process.getuid?.() === 0 &&
  (process.env.ATELIER_TEST_UNSHARED ?? "") !== "" &&
  readlinkSync("/proc/self/ns/mnt") !== process.env.ATELIER_TEST_UNSHARED;

let top: string;
let root: string;
let fuseFd: number | null = null;

/** Settles within `ms`, or answers "hung". */
const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise.then(
      () => "settled" as const,
      () => "settled" as const,
    ),
    new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), ms)),
  ]);

beforeEach(async () => {
  top = await mkdtemp(path.join(os.tmpdir(), "atelier-fuse-"));
  root = path.join(top, "rootfs");
  await mkdir(path.join(root, "etc", "fuse"), { recursive: true });
  await writeFile(path.join(root, "etc", "hosts"), "127.0.0.1 localhost\n");
  // The guest's FUSE server: /dev/fuse opened and never read (no INIT answer: every request waits).
  fuseFd = openSync("/dev/fuse", "r+");
  const mounted = spawnSync(
    "mount",
    [
      "-i",
      "-t",
      "fuse",
      "-o",
      "fd=3,rootmode=40000,user_id=0,group_id=0",
      "guest-fuse",
      path.join(root, "etc", "fuse"),
    ],
    { stdio: ["ignore", "pipe", "pipe", fuseFd] },
  );
  expect(mounted.status, String(mounted.stderr)).toBe(0);
});

afterEach(async () => {
  // Closing the server's end aborts the connection: every waiting call fails with ENOTCONN.
  if (fuseFd !== null) closeSync(fuseFd);
  fuseFd = null;
  spawnSync("umount", ["-l", path.join(root, "etc", "fuse")]);
  await rm(top, { recursive: true, force: true });
});

describe.skipIf(!isPrivateMountNs)("a guest's FUSE mount", () => {
  it("does not hang a listing of the directory it is mounted in", async () => {
    const rootfs = openRootfs(root);
    // The Files tab's first listing of /etc (a viewer's, too): entriesOf lstats every name, etc/fuse included.
    expect(await within(rootfs.listEntries("etc"), 3000)).toBe("settled");
  });

  it("cannot take the helper's threadpool: an unrelated fs call still answers", async () => {
    const rootfs = openRootfs(root);
    // files.shortcuts alone stats several paths in parallel; four calls take every libuv thread.
    const calls = Array.from({ length: 4 }, () => rootfs.describe("etc/fuse/x").catch(() => undefined));
    void calls;
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Anything else the root helper does with the filesystem (a config read, say) now waits behind them.
    expect(await within(stat("/"), 3000)).toBe("settled");
  });
});
