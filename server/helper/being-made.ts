import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { lstat } from "node:fs/promises";
import path from "node:path";
import { isValidContainerName } from "../schemas/container-name";

/**
 * The containers the helper itself is making, so that what only a creation may do (rootfs.prepare writing a root
 * password, an SSH key, the init into a root filesystem) is told apart from the same on an existing container,
 * which needs an admin's ticket. A name is marked when a creating operation of the helper's made it (lxc.create,
 * the Debian template, a copy, a tarball's directories), not before: an operation that failed, or was asked to make
 * a name that already existed, marks nothing. The mark ends when rootfs.prepare used it (the provisioner's last
 * step), when the container is destroyed or its leftovers removed, or after MAX_AGE_MS. In memory: a helper that
 * restarts forgets them, and a creation interrupted that way is cleaned up by the web tier anyway.
 *
 * Each mark is also a file in the helper's state directory (being-made/NAME), removed when the mark is cleared: a
 * creation the host went down in the middle of leaves its file, and nothing starts that container until the web
 * tier's clean-up destroyed it. Until its last steps a container being made can be privileged (no isolated id map
 * yet) with lxc.start.auto = 1 (the form's autostart, a clone's source's, an imported config's): the boot routine
 * (`atelier boot start`, a fresh process) and a restarted helper would otherwise start it half made, as root.
 */
const MAX_AGE_MS = 60 * 60 * 1000;

export const beingMadeDirOf = (stateDir: string) => path.join(stateDir, "being-made");
const markFile = (dir: string, name: string) => (isValidContainerName(name) ? path.join(dir, name) : null);

/** Whether a creation of `name` by the helper was under way and never finished nor cleaned up (its file is there). */
export const wasBeingMade = async (stateDir: string, name: string) => {
  const file = markFile(beingMadeDirOf(stateDir), name);
  // A name that cannot be a mark's file is refused as if it were one: never started on a guess.
  return file === null || (await lstat(file).catch(() => null)) !== null;
};

export const createBeingMade = ({
  stateDir,
  now = Date.now,
}: { stateDir?: string; now?: () => number } = {}) => {
  const marks = new Map<string, number>();
  const dir = stateDir === undefined ? null : beingMadeDirOf(stateDir);
  return {
    mark: (name: string) => {
      marks.set(name, now());
      const file = dir && markFile(dir, name);
      if (dir && file) {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        rmSync(file, { force: true });
        writeFileSync(file, `${new Date(now()).toISOString()}\n`, { mode: 0o600, flag: "wx" });
      }
    },
    /** Whether `name` is a container the helper made within the hour and no rootfs.prepare used yet. */
    has: (name: string) => {
      const at = marks.get(name);
      if (at !== undefined && now() - at > MAX_AGE_MS) marks.delete(name);
      return marks.has(name);
    },
    /**
     * Whether `name` must not start: being made now, or its creation interrupted (its file left by a helper that
     * stopped, or by a host that went down, before the creation finished or was cleaned up).
     */
    unfinished: async (name: string) => {
      if (marks.has(name)) return true;
      if (stateDir === undefined) return false;
      return wasBeingMade(stateDir, name);
    },
    clear: (name: string) => {
      marks.delete(name);
      const file = dir && markFile(dir, name);
      if (file) rmSync(file, { force: true });
    },
  };
};

export type TBeingMade = ReturnType<typeof createBeingMade>;
