import { randomBytes } from "node:crypto";
import { constants, type Stats } from "node:fs";
import {
  lchown,
  lstat as lstatOf,
  mkdir,
  open,
  opendir,
  readdir,
  readFile,
  readlink,
  rename,
  rmdir,
  statfs,
  symlink,
  unlink,
  type FileHandle,
} from "node:fs/promises";
import { AppError, said } from "../errors";

/**
 * The only way into a container's root filesystem from the host. The paths under a rootfs are the guest's to
 * shape: any of them may be a symlink to a host path. So every path is resolved here as the kernel's
 * RESOLVE_IN_ROOT would (Node has no openat2):
 *
 * - one component at a time, through an open directory file descriptor (`/proc/self/fd/N/NAME`), each directory
 *   opened with O_NOFOLLOW | O_DIRECTORY, so a component swapped for a symlink mid-walk fails instead of leading out;
 * - a symlink met on the way is followed inside the rootfs: an absolute target from the rootfs's top, `..` never
 *   above it;
 * - the last component of a write, chmod or chown is never followed: a write replaces a symlink there (temporary
 *   file, fsync, rename), a chmod or chown refuses it;
 * - device nodes, sockets and FIFOs are refused: nothing is ever opened that could act on the host;
 * - every directory and entry opened is on a filesystem known to hold plain files (SAFE_FILESYSTEMS, by statfs of
 *   the open descriptor): a running container's root (/proc/PID/root) has proc, sysfs, cgroup or FUSE mounts, and
 *   writing its /proc/sys as host root would change the host's settings.
 *
 * Nothing here runs a program: no guest binary ever runs on the host.
 */
export type TEntryKind = "file" | "directory" | "symlink" | "other";

const MAX_LINKS = 40;
const DIRECTORY = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

const kindOf = (stats: Stats): TEntryKind =>
  stats.isFile() ? "file" : stats.isDirectory() ? "directory" : stats.isSymbolicLink() ? "symlink" : "other";

/** Why a path is refused, as the refusal's sentence names it (its `why` select in the catalogue). */
type TRefusedWhy =
  | "rootItself"
  | "tooManyLinks"
  | "linkToRoot"
  | "notDirectoryOnTheWay"
  | "resolvesToRoot"
  | "symlink"
  | "special"
  | "changed"
  | "notDirectory"
  | "notFile"
  | "isDirectory"
  | "filesystem"
  | "tooDeep";

const refused = (relative: string, why: TRefusedWhy) =>
  new AppError("BAD_REQUEST", said("rootfsPathRefused", { path: relative, why }));

/**
 * The filesystems the module opens anything on (statfs f_type, linux/magic.h): ones that hold plain files and
 * nothing that acts on the kernel or the host. Everything else is refused: proc, sysfs, cgroup, fuse, devpts,
 * debugfs, securityfs, bpf, configfs, efivarfs, tracefs, nsfs, and any type not known here.
 */
export const SAFE_FILESYSTEMS: ReadonlyMap<number, string> = new Map([
  [0xef53, "ext2/3/4"],
  [0x58465342, "xfs"],
  [0x9123683e, "btrfs"],
  [0x01021994, "tmpfs"],
  [0x794c7630, "overlayfs"],
  [0x2fc12fc1, "zfs"],
  [0x73717368, "squashfs"],
  [0x858458f6, "ramfs"],
]);

/** Whether an open descriptor is on a known-safe filesystem (statfs of the descriptor itself, never a path). */
const checkFilesystem = async (fd: number, relative: string) => {
  const { type } = await statfs(`/proc/self/fd/${fd}`);
  if (!SAFE_FILESYSTEMS.has(Number(type) >>> 0)) throw refused(relative, "filesystem");
};

/** Whether two stats are the same inode (what an lstat saw is what an open got). */
const sameEntry = (a: Stats, b: Stats) => a.ino === b.ino && a.dev === b.dev;

/** How deep a tree is walked or removed (one open directory per level). */
const MAX_DEPTH = 256;

/** A temporary name beside the final one (hidden, random): a write or link lands there first, then is renamed. */
const temporaryName = () => `.atelier-${randomBytes(6).toString("hex")}`;

/** One entry of a directory as lstat sees it (not followed), with a link's text. */
export type TDirEntry = { name: string; stats: Stats; linkTarget: string | null };

/**
 * An entry of a tree being walked (`walkTree`): its path below the walked directory ("" for the directory itself),
 * what lstat says of it, a link's text, and for a regular file, how to open it (by the walk's own descriptors).
 * `refused`: a directory not entered (on a filesystem the module never opens, nested too deep, changed meanwhile).
 */
export type TTreeEntry = {
  path: string;
  stats: Stats;
  linkTarget: string | null;
  open: (() => Promise<FileHandle>) | null;
  refused: boolean;
};

/**
 * How a file is written: its mode and owner (else an existing file's, else 0644 and `newOwner`), the exact size it
 * must have (an upload's), and a guard that sees what is at the name (null: nothing) before and right before the
 * rename.
 */
export type TWriteOptions = {
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  /** The owner of a new file (none kept from a file at the name), when `uid` and `gid` are not given. */
  newOwner?: { uid: number; gid: number };
  guard?: (existing: Stats | null) => void | Promise<void>;
};

/** What a change may check of each entry before it is changed (its owner, say): throwing stops the change. */
export type TGuard = (stats: Stats, relative: string) => void | Promise<void>;

/** A name that is an unsafe mount point: refused by a walk, left out of a listing. */
class UnsafeMount extends Error {}

const components = (relative: string) => relative.split("/").filter((part) => part !== "" && part !== ".");

type TParent = { dir: string; name: string };

/**
 * The filesystems (by /proc/PID/mountinfo's type) the module looks into in a running container; any other mount
 * (proc, sysfs, cgroup, a FUSE mount the guest serves or never answers…) is never looked up: a lookup there could
 * hang, and with it a thread of the helper.
 */
export const SAFE_FILESYSTEM_TYPES: ReadonlySet<string> = new Set([
  "ext2",
  "ext3",
  "ext4",
  "xfs",
  "btrfs",
  "tmpfs",
  "overlay",
  "zfs",
  "squashfs",
  "ramfs",
]);

/** O_PATH (Node's constants lack it): a descriptor that names an entry without opening it (no FUSE request). */
const O_PATH = 0o10000000;

/** The mount id of an open descriptor, as the kernel's fdinfo gives it. */
const mountIdOf = async (fd: number) => {
  const id = /^mnt_id:\s*(\d+)$/m.exec(await readFile(`/proc/self/fdinfo/${fd}`, "utf8"))?.[1];
  if (id === undefined) throw new UnsafeMount(`descriptor ${fd}`);
  return id;
};

/** The filesystem type of mount `id` in a mountinfo text (null: not listed there). */
const mountTypeIn = (mountinfo: string, id: string) => {
  for (const line of mountinfo.split("\n")) {
    const fields = line.split(" ");
    if (fields[0] !== id) continue;
    const separator = fields.indexOf("-");
    return separator > 0 ? (fields[separator + 1] ?? null) : null;
  }
  return null;
};

/**
 * `rootOpened`: called each time a walk has opened the root, before anything under it is looked at (a running
 * container's root is /proc/PID/root: the caller checks that PID is still that container's init).
 * `mountinfo`: for a running container, its init's /proc/PID/mountinfo. Then each name is first opened O_PATH (no
 * lookup inside it, no request to its filesystem), its mount found by the descriptor's own mount id (fdinfo), and
 * a name on another mount than its directory's is judged by that mount's type in a fresh read of the mountinfo
 * (by id, not by path: a chrooted init or a directory renamed meanwhile changes nothing); an unsafe or unlisted one
 * is never looked into (a walk refuses it, a listing leaves it out). Its lstat data is the O_PATH descriptor's.
 */
export const openRootfs = (
  root: string,
  { rootOpened, mountinfo }: { rootOpened?: () => Promise<void>; mountinfo?: string } = {},
) => {
  /** Refuses a descriptor whose mount differs from `parentFd`'s (if given) and is not of a safe type. */
  const checkMountOf = async (fd: number, parentFd: number | null, what: string) => {
    if (!mountinfo) return;
    const id = await mountIdOf(fd);
    if (parentFd !== null && id === (await mountIdOf(parentFd))) return;
    const type = mountTypeIn(await readFile(mountinfo, "utf8"), id);
    if (type === null || !SAFE_FILESYSTEM_TYPES.has(type)) throw new UnsafeMount(what);
  };
  /** lstat of a name below an open directory: for a running container, through an O_PATH descriptor, checked. */
  const lstat = async (path: string) => {
    const match = mountinfo ? /^\/proc\/self\/fd\/(\d+)\/(.+)$/.exec(path) : null;
    if (!match || match[2] === ".") return lstatOf(path);
    const handle = await open(path, O_PATH | constants.O_NOFOLLOW);
    try {
      await checkMountOf(handle.fd, Number(match[1]), path);
      return await handle.stat();
    } finally {
      await handle.close();
    }
  };
  /**
   * Walks to the directory holding the last component and calls `work` with that directory (as a /proc/self/fd
   * path) and the component's name. `createMode`: missing directories on the way are made with it. `allowRoot`: a
   * path that is (or resolves to) the root itself, or a directory reached by links, is worked on as `name` "."
   * of that directory. `others`: every directory walked through must let the container's others search it (o+x),
   * or the walk is refused FORBIDDEN.
   */
  const withParent = async <T>(
    relative: string,
    options: { followLast: boolean; createMode?: number; allowRoot?: boolean; others?: boolean },
    work: (parent: TParent) => Promise<T>,
  ): Promise<T> => {
    if (mountinfo) {
      // The root's own mount, judged before it is opened for reading.
      const probe = await open(root, O_PATH);
      try {
        await checkMountOf(probe.fd, null, root);
      } catch (error) {
        if (error instanceof UnsafeMount) throw refused(relative, "filesystem");
        throw error;
      } finally {
        await probe.close();
      }
    }
    const rootHandle = await open(root, constants.O_RDONLY | constants.O_DIRECTORY);
    const stack: FileHandle[] = [rootHandle];
    const top = () => stack[stack.length - 1] ?? rootHandle;
    const at = (name: string) => `/proc/self/fd/${top().fd}/${name}`;
    const searchable = (stats: Stats) => {
      if (options.others && (stats.mode & 0o001) === 0)
        throw new AppError("FORBIDDEN", said("filesNotForOthers", { path: relative, kind: "directory" }));
    };
    try {
      await rootOpened?.();
      await checkFilesystem(rootHandle.fd, relative);
      searchable(await rootHandle.stat());
      const parts = components(relative);
      const itself = () => work({ dir: `/proc/self/fd/${top().fd}`, name: "." });
      if (parts.length === 0 || parts.every((part) => part === "..")) {
        if (options.allowRoot) return await itself();
        throw refused(relative, "rootItself");
      }
      let links = 0;
      while (parts.length > 0) {
        const part = parts.shift() ?? "";
        if (part === "..") {
          if (stack.length > 1) await stack.pop()?.close();
          continue;
        }
        const isLast = parts.length === 0;
        let stats = await lstat(at(part)).catch((error: NodeJS.ErrnoException) => {
          if (error.code === "ENOENT") return null;
          throw error;
        });
        if (stats === null) {
          if (isLast) return await work({ dir: `/proc/self/fd/${top().fd}`, name: part });
          if (options.createMode === undefined)
            throw new AppError("NOT_FOUND", said("rootfsPathMissing", { path: relative }));
          await mkdir(at(part), { mode: options.createMode }).catch((error: NodeJS.ErrnoException) => {
            if (error.code !== "EEXIST") throw error;
          });
          stats = await lstat(at(part));
        }
        if (stats.isSymbolicLink() && (!isLast || options.followLast)) {
          links += 1;
          if (links > MAX_LINKS) throw refused(relative, "tooManyLinks");
          const target = await readlink(at(part));
          if (target.startsWith("/")) while (stack.length > 1) await stack.pop()?.close();
          parts.unshift(...components(target));
          if (parts.length === 0) {
            if (options.allowRoot) return await itself();
            throw refused(relative, "linkToRoot");
          }
          continue;
        }
        if (isLast) return await work({ dir: `/proc/self/fd/${top().fd}`, name: part });
        if (!stats.isDirectory()) throw refused(relative, "notDirectoryOnTheWay");
        const handle = await open(at(part), DIRECTORY);
        stack.push(handle);
        const opened = await handle.stat();
        if (!sameEntry(opened, stats)) throw refused(relative, "changed");
        await checkFilesystem(handle.fd, relative);
        searchable(opened);
      }
      if (options.allowRoot) return await itself();
      throw refused(relative, "resolvesToRoot");
    } catch (error) {
      if (error instanceof UnsafeMount) throw refused(relative, "filesystem");
      throw error;
    } finally {
      await Promise.allSettled(stack.map((handle) => handle.close()));
    }
  };

  /** Opens an existing regular file or directory without following a link, checking it is what lstat saw. */
  const openEntry = async ({ dir, name }: TParent, relative: string, flags: number) => {
    const path = `${dir}/${name}`;
    const before = await lstat(path);
    if (before.isSymbolicLink()) throw refused(relative, "symlink");
    if (!before.isFile() && !before.isDirectory()) throw refused(relative, "special");
    const handle = await open(
      path,
      flags |
        constants.O_NOFOLLOW |
        constants.O_NONBLOCK |
        (before.isDirectory() ? constants.O_DIRECTORY : 0),
    );
    try {
      const after = await handle.stat();
      if (!sameEntry(after, before)) throw refused(relative, "changed");
      await checkFilesystem(handle.fd, relative);
      return { handle, stats: after };
    } catch (error) {
      await handle.close();
      throw error;
    }
  };

  /** lstat of a name in an open directory, or null when there is none. */
  const lstatOrNull = (path: string) =>
    lstat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return null;
      throw error;
    });

  const missing = (relative: string) =>
    new AppError("NOT_FOUND", said("rootfsPathMissing", { path: relative }));

  /** What a directory (an open descriptor) holds, each entry lstat'ed, never followed. */
  const entriesOf = async (fd: number, names: readonly string[]): Promise<TDirEntry[]> => {
    const entries: TDirEntry[] = [];
    for (const name of names) {
      // A mount point of a filesystem never touched (a running container's proc, sysfs, FUSE) is left out.
      const stats = await lstatOrNull(`/proc/self/fd/${fd}/${name}`).catch((error: unknown) => {
        if (error instanceof UnsafeMount) return null;
        throw error;
      });
      // Gone since the directory was read.
      if (!stats) continue;
      const linkTarget = stats.isSymbolicLink()
        ? await readlink(`/proc/self/fd/${fd}/${name}`).catch(() => null)
        : null;
      entries.push({ name, stats, linkTarget });
    }
    return entries;
  };

  /**
   * Opens a directory entry below an open directory: a directory (O_DIRECTORY) or a regular file, never a link
   * (O_NOFOLLOW), checked to be what lstat saw and on a safe filesystem.
   */
  const openChild = async (dirFd: number, name: string, seen: Stats, relative: string) => {
    const handle = await open(
      `/proc/self/fd/${dirFd}/${name}`,
      constants.O_RDONLY |
        constants.O_NOFOLLOW |
        constants.O_NONBLOCK |
        (seen.isDirectory() ? constants.O_DIRECTORY : 0),
    );
    try {
      if (!sameEntry(await handle.stat(), seen)) throw refused(relative, "changed");
      await checkFilesystem(handle.fd, relative);
      return handle;
    } catch (error) {
      await handle.close();
      throw error;
    }
  };

  /** A directory's contents removed, depth first, by directory descriptors; links removed as links. */
  const removeContents = async (
    dir: FileHandle,
    dirStats: Stats,
    relative: string,
    guard: TGuard | undefined,
    depth: number,
  ) => {
    if (depth > MAX_DEPTH) throw refused(relative, "tooDeep");
    let removed = 0;
    for (const name of await readdir(`/proc/self/fd/${dir.fd}`)) {
      const childPath = `/proc/self/fd/${dir.fd}/${name}`;
      const childRelative = `${relative}/${name}`;
      const stats = await lstatOrNull(childPath).catch((error: unknown) => {
        // A mount inside the container is not this tree's to empty.
        if (error instanceof UnsafeMount)
          throw new AppError("PRECONDITION_FAILED", said("filesMountPoint", { path: childRelative }));
        throw error;
      });
      if (!stats) continue;
      await guard?.(stats, childRelative);
      if (stats.isDirectory()) {
        // A mount inside the container (or a guest's bind of the host) is not this tree's to empty.
        if (stats.dev !== dirStats.dev)
          throw new AppError("PRECONDITION_FAILED", said("filesMountPoint", { path: childRelative }));
        const child = await openChild(dir.fd, name, stats, childRelative);
        try {
          removed += await removeContents(child, stats, childRelative, guard, depth + 1);
        } finally {
          await child.close();
        }
        await rmdir(childPath);
      } else await unlink(childPath);
      removed += 1;
    }
    return removed;
  };

  const writeStream = (
    relative: string,
    source: Iterable<Buffer> | AsyncIterable<Buffer>,
    options: TWriteOptions,
  ): Promise<Stats> =>
    withParent(relative, { followLast: false }, async ({ dir, name }) => {
      const look = async () => {
        const existing = await lstatOrNull(`${dir}/${name}`);
        if (existing && !existing.isFile() && !existing.isSymbolicLink())
          throw refused(relative, existing.isDirectory() ? "isDirectory" : "special");
        await options.guard?.(existing);
        return existing;
      };
      const existing = await look();
      const keep = existing?.isFile() ? existing : null;
      const mode = options.mode ?? (keep ? keep.mode & 0o7777 : 0o644);
      const temporary = `${dir}/${temporaryName()}`;
      const handle = await open(
        temporary,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        0o600,
      );
      try {
        let written = 0;
        for await (const chunk of source) {
          written += chunk.length;
          if (options.size !== undefined && written > options.size) break;
          for (let offset = 0; offset < chunk.length;) {
            const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
            offset += bytesWritten;
          }
        }
        if (options.size !== undefined && written !== options.size)
          throw new AppError(
            "BAD_REQUEST",
            said("filesUploadSize", { received: written, expected: options.size }),
          );
        const uid = options.uid ?? keep?.uid ?? options.newOwner?.uid;
        const gid = options.gid ?? keep?.gid ?? options.newOwner?.gid;
        if (uid !== undefined && gid !== undefined) await handle.chown(uid, gid);
        await handle.chmod(mode);
        await handle.sync();
        const stats = await handle.stat();
        await handle.close();
        await look();
        await rename(temporary, `${dir}/${name}`);
        return stats;
      } catch (error) {
        await handle.close().catch(() => undefined);
        await unlink(temporary).catch(() => undefined);
        throw error;
      }
    });

  /** walkTree below an open directory: each entry visited, directories entered by their own descriptors. */
  const walkInto = async (
    dir: FileHandle,
    below: string,
    relative: string,
    visit: (entry: TTreeEntry) => Promise<boolean | void>,
    depth: number,
  ): Promise<void> => {
    const listing = await opendir(`/proc/self/fd/${dir.fd}`);
    for await (const dirent of listing) {
      const name = dirent.name;
      const path = below === "" ? name : `${below}/${name}`;
      const childRelative = `${relative}/${path}`;
      // A mount point of a filesystem never touched is left out of the tree.
      const stats = await lstatOrNull(`/proc/self/fd/${dir.fd}/${name}`).catch((error: unknown) => {
        if (error instanceof UnsafeMount) return null;
        throw error;
      });
      if (!stats) continue;
      if (stats.isSymbolicLink()) {
        const linkTarget = await readlink(`/proc/self/fd/${dir.fd}/${name}`).catch(() => null);
        if (linkTarget === null) continue;
        await visit({ path, stats, linkTarget, open: null, refused: false });
      } else if (stats.isFile()) {
        const open = () => openChild(dir.fd, name, stats, childRelative);
        await visit({ path, stats, linkTarget: null, open, refused: false });
      } else if (stats.isDirectory()) {
        const child =
          depth > MAX_DEPTH
            ? null
            : await openChild(dir.fd, name, stats, childRelative).catch((error: unknown) => {
                if (error instanceof AppError || (error as NodeJS.ErrnoException).code === "ENOENT")
                  return null;
                throw error;
              });
        try {
          const enter = await visit({ path, stats, linkTarget: null, open: null, refused: child === null });
          if (child && enter !== false) await walkInto(child, path, relative, visit, depth + 1);
        } finally {
          await child?.close();
        }
      } else await visit({ path, stats, linkTarget: null, open: null, refused: true });
    }
  };

  return {
    root,

    /** What is at a path (links followed inside the rootfs), or null when nothing is. */
    kind: (relative: string): Promise<TEntryKind | null> =>
      withParent(relative, { followLast: true }, async ({ dir, name }) => {
        const stats = await lstat(`${dir}/${name}`).catch(() => null);
        return stats ? kindOf(stats) : null;
      }).catch((error: unknown) => {
        if (error instanceof AppError) return null;
        throw error;
      }),

    /**
     * What lstat says of a path: the directories on the way followed inside the rootfs, the last component never
     * followed (a symlink there is reported as one). Null when it, or a directory on the way, does not exist; a
     * path the walk refuses (a loop of links, a file on the way) throws.
     */
    lstat: (relative: string): Promise<Stats | null> =>
      withParent(relative, { followLast: false }, ({ dir, name }) =>
        lstat(`${dir}/${name}`).catch((error: NodeJS.ErrnoException) => {
          if (error.code === "ENOENT") return null;
          throw error;
        }),
      ).catch((error: unknown) => {
        if (error instanceof AppError && error.code === "NOT_FOUND") return null;
        throw error;
      }),

    /**
     * The names in a directory (the directories on the way followed inside the rootfs; the directory itself never
     * followed: a link there is refused, as are a device, socket or FIFO). Null when it does not exist.
     */
    list: (relative: string): Promise<string[] | null> =>
      withParent(relative, { followLast: false }, async (parent) => {
        if (!(await lstat(`${parent.dir}/${parent.name}`).catch(() => null))) return null;
        const { handle, stats } = await openEntry(parent, relative, constants.O_RDONLY);
        try {
          if (!stats.isDirectory()) throw refused(relative, "notDirectory");
          return await readdir(`/proc/self/fd/${handle.fd}`);
        } finally {
          await handle.close();
        }
      }).catch((error: unknown) => {
        if (error instanceof AppError && error.code === "NOT_FOUND") return null;
        throw error;
      }),

    /** A regular file's content (links followed inside the rootfs), or null when there is none. */
    readFile: (relative: string): Promise<Buffer | null> =>
      withParent(relative, { followLast: true }, async (parent) => {
        const exists = await lstat(`${parent.dir}/${parent.name}`).catch(() => null);
        if (!exists) return null;
        const { handle, stats } = await openEntry(parent, relative, constants.O_RDONLY);
        try {
          if (!stats.isFile()) throw refused(relative, "notFile");
          return await handle.readFile();
        } finally {
          await handle.close();
        }
      }).catch((error: unknown) => {
        if (error instanceof AppError && error.code === "NOT_FOUND") return null;
        throw error;
      }),

    /**
     * Writes a file atomically (a temporary file in the same directory, flushed, renamed over the name): a symlink
     * at the name is replaced, never followed. Mode and owner are the given ones, or the existing file's.
     */
    writeFile: async (
      relative: string,
      data: string | Buffer,
      options: { mode?: number; uid?: number; gid?: number } = {},
    ): Promise<void> => {
      await writeStream(relative, [typeof data === "string" ? Buffer.from(data) : data], options);
    },

    /**
     * writeFile from chunks (an upload's), as they come: the temporary file gets them one by one (never the whole
     * file in memory), is flushed, then renamed over the name; on any failure (the source's, a size that is not
     * `size`, the guard's) it is removed and nothing changed at the name. `guard` sees what is at the name (null
     * when nothing is) before the write and again right before the rename. Answers the written file's stats.
     */
    writeStream: (
      relative: string,
      source: Iterable<Buffer> | AsyncIterable<Buffer>,
      options: TWriteOptions = {},
    ) => writeStream(relative, source, options),

    /**
     * What lstat says of a path and a link's text, the root itself allowed: the directories on the way followed
     * inside the rootfs, the last component followed only when asked. NOT_FOUND when nothing is there.
     */
    describe: (
      relative: string,
      options: { followLast?: boolean; others?: boolean } = {},
    ): Promise<TDirEntry> =>
      withParent(
        relative,
        {
          followLast: options.followLast ?? false,
          allowRoot: true,
          ...(options.others ? { others: true } : {}),
        },
        async ({ dir, name }) => {
          const stats = await lstatOrNull(`${dir}/${name}`);
          if (!stats) throw missing(relative);
          const linkTarget = stats.isSymbolicLink() ? await readlink(`${dir}/${name}`) : null;
          return { name, stats, linkTarget };
        },
      ),

    /**
     * A directory's entries, lstat'ed (links not followed, with their text), the directory itself reached with
     * links followed inside the rootfs. `select` picks which names to describe, from their types as the directory
     * reports them (sorting and a bound happen before any lstat). `others`: the directory must be o+r and o+x, and
     * so must the directories on the way.
     */
    listEntries: (
      relative: string,
      options: {
        others?: boolean;
        select?: (names: { name: string; isDirectory: boolean }[]) => string[];
      } = {},
    ): Promise<{ stats: Stats; entries: TDirEntry[] }> =>
      withParent(
        relative,
        { followLast: true, allowRoot: true, ...(options.others ? { others: true } : {}) },
        async (parent) => {
          if (!(await lstatOrNull(`${parent.dir}/${parent.name}`))) throw missing(relative);
          const { handle, stats } = await openEntry(parent, relative, constants.O_RDONLY);
          try {
            if (!stats.isDirectory()) throw refused(relative, "notDirectory");
            if (options.others && (stats.mode & 0o005) !== 0o005)
              throw new AppError(
                "FORBIDDEN",
                said("filesNotForOthers", { path: relative, kind: "directory" }),
              );
            const dirents = await readdir(`/proc/self/fd/${handle.fd}`, { withFileTypes: true });
            const all = dirents.map((dirent) => ({ name: dirent.name, isDirectory: dirent.isDirectory() }));
            const names = options.select ? options.select(all) : all.map((each) => each.name);
            return { stats, entries: await entriesOf(handle.fd, names) };
          } finally {
            await handle.close();
          }
        },
      ),

    /**
     * Opens a regular file to read (links followed inside the rootfs; opened O_NOFOLLOW and checked to be what was
     * looked at). The caller closes the handle. `others`: the file must be o+r, the directories on the way o+x.
     */
    openFile: (
      relative: string,
      options: { others?: boolean } = {},
    ): Promise<{ handle: FileHandle; stats: Stats }> =>
      withParent(
        relative,
        { followLast: true, ...(options.others ? { others: true } : {}) },
        async (parent) => {
          if (!(await lstatOrNull(`${parent.dir}/${parent.name}`))) throw missing(relative);
          const opened = await openEntry(parent, relative, constants.O_RDONLY);
          if (!opened.stats.isFile() || (options.others && (opened.stats.mode & 0o004) === 0)) {
            await opened.handle.close();
            if (!opened.stats.isFile()) throw refused(relative, "notFile");
            throw new AppError("FORBIDDEN", said("filesNotForOthers", { path: relative, kind: "file" }));
          }
          return opened;
        },
      ),

    /**
     * Walks a directory's tree depth first, by directory descriptors (never a path re-resolved), calling `visit`
     * for the directory itself (path "") and each entry below, a directory before its contents. Links are given as
     * links (never followed); a directory on a filesystem the module never opens, or changed meanwhile, is given
     * `refused` and not entered; `visit` answering false keeps a directory from being entered.
     */
    walkTree: (
      relative: string,
      options: { others?: boolean },
      visit: (entry: TTreeEntry) => Promise<boolean | void>,
    ): Promise<void> =>
      withParent(
        relative,
        { followLast: true, allowRoot: true, ...(options.others ? { others: true } : {}) },
        async (parent) => {
          if (!(await lstatOrNull(`${parent.dir}/${parent.name}`))) throw missing(relative);
          const { handle, stats } = await openEntry(parent, relative, constants.O_RDONLY);
          try {
            if (!stats.isDirectory()) throw refused(relative, "notDirectory");
            if ((await visit({ path: "", stats, linkTarget: null, open: null, refused: false })) === false)
              return;
            await walkInto(handle, "", relative, visit, 1);
          } finally {
            await handle.close();
          }
        },
      ),

    /**
     * Makes one directory (its parent must exist; something at the name already → CONFLICT), with exactly `mode`
     * (past the umask) and the given owner. Answers its stats.
     */
    makeDirectory: (
      relative: string,
      options: { mode: number; uid?: number; gid?: number },
    ): Promise<Stats> =>
      withParent(relative, { followLast: false }, async (parent) => {
        const path = `${parent.dir}/${parent.name}`;
        if (await lstatOrNull(path))
          throw new AppError("CONFLICT", said("filesTargetExists", { path: relative }));
        await mkdir(path, { mode: 0o700 });
        const { handle } = await openEntry(parent, relative, constants.O_RDONLY);
        try {
          if (options.uid !== undefined && options.gid !== undefined)
            await handle.chown(options.uid, options.gid);
          await handle.chmod(options.mode);
          return await handle.stat();
        } finally {
          await handle.close();
        }
      }),

    /**
     * Renames an entry (never followed: a link is renamed as a link) to another name inside the rootfs, both
     * parents reached by the walk; refuses (CONFLICT) when something is at `to` already. `guard` sees the entry.
     */
    rename: (from: string, to: string, options: { guard?: TGuard } = {}): Promise<Stats> =>
      withParent(from, { followLast: false }, (source) =>
        withParent(to, { followLast: false }, async (target) => {
          const stats = await lstatOrNull(`${source.dir}/${source.name}`);
          if (!stats) throw missing(from);
          if (await lstatOrNull(`${target.dir}/${target.name}`))
            throw new AppError("CONFLICT", said("filesTargetExists", { path: to }));
          await options.guard?.(stats, from);
          await rename(`${source.dir}/${source.name}`, `${target.dir}/${target.name}`).catch(
            (error: NodeJS.ErrnoException) => {
              if (error.code === "EXDEV")
                throw new AppError("PRECONDITION_FAILED", said("filesCrossDevice", { from, to }));
              throw error;
            },
          );
          const moved = await lstatOrNull(`${target.dir}/${target.name}`);
          if (!moved) throw missing(to);
          return moved;
        }),
      ),

    /**
     * Removes an entry, never following it: a link is removed as a link; a directory only when empty, or with its
     * contents when `recursive` (walked by directory descriptors, never across a mount). `guard` sees each entry
     * before it is removed. Answers how many entries went.
     */
    remove: (relative: string, options: { recursive: boolean; guard?: TGuard }): Promise<number> =>
      withParent(relative, { followLast: false }, async (parent) => {
        const path = `${parent.dir}/${parent.name}`;
        const stats = await lstatOrNull(path);
        if (!stats) throw missing(relative);
        await options.guard?.(stats, relative);
        if (!stats.isDirectory()) {
          await unlink(path);
          return 1;
        }
        let removed = 0;
        if (options.recursive) {
          const { handle } = await openEntry(parent, relative, constants.O_RDONLY);
          try {
            removed = await removeContents(handle, stats, relative, options.guard, 1);
          } finally {
            await handle.close();
          }
        }
        await rmdir(path).catch((error: NodeJS.ErrnoException) => {
          if (error.code === "ENOTEMPTY" || error.code === "EEXIST")
            throw new AppError("PRECONDITION_FAILED", said("filesNotEmpty", { path: relative }));
          throw error;
        });
        return removed + 1;
      }),

    /**
     * Makes a symbolic link (its text the guest's, never resolved here), replacing an existing link or file at the
     * name atomically (a temporary link renamed over it); a directory at the name is refused. Answers its stats.
     */
    symlink: (
      relative: string,
      target: string,
      options: { uid?: number; gid?: number; guard?: (existing: Stats | null) => void | Promise<void> } = {},
    ): Promise<Stats> =>
      withParent(relative, { followLast: false }, async ({ dir, name }) => {
        const existing = await lstatOrNull(`${dir}/${name}`);
        if (existing?.isDirectory()) throw refused(relative, "isDirectory");
        await options.guard?.(existing);
        const temporary = `${dir}/${temporaryName()}`;
        await symlink(target, temporary);
        try {
          if (options.uid !== undefined && options.gid !== undefined)
            await lchown(temporary, options.uid, options.gid);
          await rename(temporary, `${dir}/${name}`);
        } catch (error) {
          await unlink(temporary).catch(() => undefined);
          throw error;
        }
        const made = await lstatOrNull(`${dir}/${name}`);
        if (!made) throw missing(relative);
        return made;
      }),

    /**
     * chown of an entry, never followed: a link's own owner (lchown of the name in its open parent), a regular
     * file's or directory's by its descriptor; a device, socket or FIFO is refused. `guard` sees it first.
     */
    setOwner: (
      relative: string,
      uid: number,
      gid: number,
      options: { guard?: TGuard } = {},
    ): Promise<Stats> =>
      withParent(relative, { followLast: false }, async (parent) => {
        const path = `${parent.dir}/${parent.name}`;
        const stats = await lstatOrNull(path);
        if (!stats) throw missing(relative);
        if (stats.isSymbolicLink()) {
          // By name (Node has no fchownat AT_EMPTY_PATH): in a running container a guest can swap the link for a
          // mount between this guard and the lchown, so running containers are changed from inside them instead.
          await options.guard?.(stats, relative);
          await lchown(path, uid, gid);
          return (await lstatOrNull(path)) ?? stats;
        }
        const { handle, stats: opened } = await openEntry(parent, relative, constants.O_RDONLY);
        try {
          // The guard judges the inode that is changed (a guest may bind a host file over the name after a lstat).
          await options.guard?.(opened, relative);
          await handle.chown(uid, gid);
          return await handle.stat();
        } finally {
          await handle.close();
        }
      }),

    /** chmod of a regular file or directory by its descriptor (never a link, device, socket or FIFO). */
    setMode: (relative: string, mode: number, options: { guard?: TGuard } = {}): Promise<Stats> =>
      withParent(relative, { followLast: false }, async (parent) => {
        const stats = await lstatOrNull(`${parent.dir}/${parent.name}`);
        if (!stats) throw missing(relative);
        if (stats.isSymbolicLink())
          throw new AppError("BAD_REQUEST", said("filesLinkMode", { path: relative }));
        const { handle, stats: opened } = await openEntry(parent, relative, constants.O_RDONLY);
        try {
          // The guard judges the inode that is changed (a guest may bind a host file over the name after a lstat).
          await options.guard?.(opened, relative);
          await handle.chmod(mode);
          return await handle.stat();
        } finally {
          await handle.close();
        }
      }),

    /** mkdir -p: directories on the way are made with `mode` (links on the way followed inside the rootfs). */
    mkdir: (relative: string, options: { mode: number; uid?: number; gid?: number }): Promise<void> =>
      withParent(relative, { followLast: true, createMode: options.mode }, async (parent) => {
        const path = `${parent.dir}/${parent.name}`;
        const existed = await lstat(path).catch(() => null);
        if (!existed) await mkdir(path, { mode: options.mode });
        const { handle, stats } = await openEntry(parent, relative, constants.O_RDONLY);
        try {
          if (!stats.isDirectory()) throw refused(relative, "notDirectory");
          if (!existed) {
            await handle.chmod(options.mode);
            if (options.uid !== undefined && options.gid !== undefined)
              await handle.chown(options.uid, options.gid);
          }
        } finally {
          await handle.close();
        }
      }),

    /**
     * chmod of a regular file or directory; a device, socket or FIFO is refused, and so is a symlink unless
     * `followLast` asks to follow it (inside the rootfs, as every other component).
     */
    chmod: (relative: string, mode: number, options: { followLast?: boolean } = {}): Promise<void> =>
      withParent(relative, { followLast: options.followLast ?? false }, async (parent) => {
        const { handle } = await openEntry(parent, relative, constants.O_RDONLY);
        try {
          await handle.chmod(mode);
        } finally {
          await handle.close();
        }
      }),

    /**
     * Clears `bits` (setuid and setgid, say) of the mode a regular file or directory has, on the handle it was
     * opened by: nothing is ever added. A symlink, device, socket or FIFO is refused.
     */
    clearModeBits: (relative: string, bits: number): Promise<void> =>
      withParent(relative, { followLast: false }, async (parent) => {
        const { handle, stats } = await openEntry(parent, relative, constants.O_RDONLY);
        try {
          if ((stats.mode & bits) !== 0) await handle.chmod(stats.mode & 0o7777 & ~bits);
        } finally {
          await handle.close();
        }
      }),

    /** chown of a regular file or directory; a symlink, device, socket or FIFO is refused. */
    chown: (relative: string, uid: number, gid: number): Promise<void> =>
      withParent(relative, { followLast: false }, async (parent) => {
        const { handle } = await openEntry(parent, relative, constants.O_RDONLY);
        try {
          await handle.chown(uid, gid);
        } finally {
          await handle.close();
        }
      }),
  };
};

export type TRootfs = ReturnType<typeof openRootfs>;
