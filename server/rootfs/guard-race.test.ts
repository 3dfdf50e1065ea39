import { execaSync } from "execa";
import { readlinkSync, statSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { openRootfs, type TGuard } from "./index";

/**
 * Review of issue #26 (files): the owner guard of setMode judges one inode, the chmod changes another.
 *
 * In a running unprivileged container (main: changes through /proc/PID/root as host root), the helper refuses to
 * change an entry owned by a host id outside the container's map (a host directory bound in). setMode lstats the
 * name, calls the guard with that lstat, then opens the name again (openEntry) and fchmods what it opened: the
 * guard never sees the opened inode. Root in the container may bind-mount any file it sees (a host file of a bind,
 * say) over the name between the two, and the host file gets the mode (setuid, world-writable...). The guard below
 * plays the guest at that moment: it binds a host file (the canary, root's, 0600) over the entry it was just shown.
 *
 * Run in a private mount namespace (see fuse-hang.test.ts):
 *   unshare --mount --propagation private env ATELIER_TEST_UNSHARED=$(readlink /proc/self/ns/mnt) \
 *     npx vitest run --project unit server/rootfs/guard-race.test.ts
 */
const isPrivateMountNs =
  process.getuid?.() === 0 &&
  (process.env.ATELIER_TEST_UNSHARED ?? "") !== "" &&
  readlinkSync("/proc/self/ns/mnt") !== process.env.ATELIER_TEST_UNSHARED;

let top: string;
let root: string;
let canary: string;
const MAPPED = 100000;

beforeEach(async () => {
  top = await mkdtemp(path.join(os.tmpdir(), "atelier-guard-"));
  root = path.join(top, "rootfs");
  canary = path.join(top, "host-canary");
  await mkdir(path.join(root, "tmp"), { recursive: true });
  await writeFile(path.join(root, "tmp", "mine"), "guest file");
  execaSync("chown", [`${MAPPED}:${MAPPED}`, path.join(root, "tmp", "mine")], { reject: false });
  await writeFile(canary, "host secret");
  await chmod(canary, 0o600);
});

afterEach(async () => {
  execaSync("umount", ["-l", path.join(root, "tmp", "mine")], { reject: false });
  await rm(top, { recursive: true, force: true });
});

/** The helper's guard for an unprivileged container mapping host ids 100000..165535. */
const mappedOnly: TGuard = (stats, relative) => {
  for (const id of [stats.uid, stats.gid])
    if (id < MAPPED || id >= MAPPED + 65536)
      throw new AppError("FORBIDDEN", { message: `${relative}: unmapped` });
};

describe.skipIf(!isPrivateMountNs)("the owner guard against a guest's mount", () => {
  it("changes the mode of the entry it judged, never of a host file bound over it meanwhile", async () => {
    const rootfs = openRootfs(root);
    const guard: TGuard = async (stats, relative) => {
      await mappedOnly(stats, relative);
      // The guest, right after the helper looked: its host file bound over the name.
      const bound = execaSync("mount", ["--bind", canary, path.join(root, "tmp", "mine")], { reject: false });
      expect(bound.exitCode, String(bound.stderr)).toBe(0);
    };
    await rootfs.setMode("tmp/mine", 0o4777, { guard }).catch(() => undefined);
    execaSync("umount", ["-l", path.join(root, "tmp", "mine")], { reject: false });
    expect((statSync(canary).mode & 0o7777).toString(8)).toBe("600");
  });

  it("changes the owner of the entry it judged, never of a host file bound over it meanwhile", async () => {
    const rootfs = openRootfs(root);
    const guard: TGuard = async (stats, relative) => {
      await mappedOnly(stats, relative);
      const bound = execaSync("mount", ["--bind", canary, path.join(root, "tmp", "mine")], { reject: false });
      expect(bound.exitCode, String(bound.stderr)).toBe(0);
    };
    await rootfs.setOwner("tmp/mine", MAPPED, MAPPED, { guard }).catch(() => undefined);
    execaSync("umount", ["-l", path.join(root, "tmp", "mine")], { reject: false });
    expect(statSync(canary).uid).toBe(0);
  });
});
