/**
 * The containers the helper itself is making, so that what only a creation may do (rootfs.prepare writing a root
 * password, an SSH key, the init into a root filesystem) is told apart from the same on an existing container,
 * which needs an admin's ticket. A name is marked when a creating operation of the helper's made it (lxc.create,
 * the Debian template, a copy, a tarball's directories), not before: an operation that failed, or was asked to make
 * a name that already existed, marks nothing. The mark ends when rootfs.prepare used it (the provisioner's last
 * step), when the container is destroyed or its leftovers removed, or after MAX_AGE_MS. In memory: a helper that
 * restarts forgets them, and a creation interrupted that way is cleaned up by the web tier anyway.
 */
const MAX_AGE_MS = 60 * 60 * 1000;

export const createBeingMade = (now: () => number = Date.now) => {
  const marks = new Map<string, number>();
  return {
    mark: (name: string) => void marks.set(name, now()),
    /** Whether `name` is a container the helper made within the hour and no rootfs.prepare used yet. */
    has: (name: string) => {
      const at = marks.get(name);
      if (at !== undefined && now() - at > MAX_AGE_MS) marks.delete(name);
      return marks.has(name);
    },
    clear: (name: string) => void marks.delete(name),
  };
};

export type TBeingMade = ReturnType<typeof createBeingMade>;
