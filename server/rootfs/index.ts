import { randomBytes } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { lstat, mkdir, open, readdir, readlink, rename, unlink, type FileHandle } from "node:fs/promises";
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
 * - device nodes, sockets and FIFOs are refused: nothing is ever opened that could act on the host.
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
  | "isDirectory";

const refused = (relative: string, why: TRefusedWhy) =>
  new AppError("BAD_REQUEST", said("rootfsPathRefused", { path: relative, why }));

const components = (relative: string) => relative.split("/").filter((part) => part !== "" && part !== ".");

type TParent = { dir: string; name: string };

export const openRootfs = (root: string) => {
  /**
   * Walks to the directory holding the last component and calls `work` with that directory (as a /proc/self/fd
   * path) and the component's name. `createMode`: missing directories on the way are made with it.
   */
  const withParent = async <T>(
    relative: string,
    options: { followLast: boolean; createMode?: number },
    work: (parent: TParent) => Promise<T>,
  ): Promise<T> => {
    const rootHandle = await open(root, constants.O_RDONLY | constants.O_DIRECTORY);
    const stack: FileHandle[] = [rootHandle];
    const top = () => stack[stack.length - 1] ?? rootHandle;
    const at = (name: string) => `/proc/self/fd/${top().fd}/${name}`;
    try {
      const parts = components(relative);
      if (parts.length === 0 || parts.every((part) => part === "..")) throw refused(relative, "rootItself");
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
          if (parts.length === 0) throw refused(relative, "linkToRoot");
          continue;
        }
        if (isLast) return await work({ dir: `/proc/self/fd/${top().fd}`, name: part });
        if (!stats.isDirectory()) throw refused(relative, "notDirectoryOnTheWay");
        stack.push(await open(at(part), DIRECTORY));
      }
      throw refused(relative, "resolvesToRoot");
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
    const after = await handle.stat();
    if (after.ino !== before.ino || after.dev !== before.dev) {
      await handle.close();
      throw refused(relative, "changed");
    }
    return { handle, stats: after };
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
    writeFile: (
      relative: string,
      data: string | Buffer,
      options: { mode?: number; uid?: number; gid?: number } = {},
    ): Promise<void> =>
      withParent(relative, { followLast: false }, async ({ dir, name }) => {
        const existing = await lstat(`${dir}/${name}`).catch(() => null);
        if (existing && !existing.isFile() && !existing.isSymbolicLink())
          throw refused(relative, existing.isDirectory() ? "isDirectory" : "special");
        const keep = existing?.isFile() ? existing : null;
        const mode = options.mode ?? (keep ? keep.mode & 0o7777 : 0o644);
        const temporary = `${dir}/.atelier-${randomBytes(6).toString("hex")}`;
        const handle = await open(
          temporary,
          constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
          0o600,
        );
        try {
          await handle.writeFile(data);
          const uid = options.uid ?? keep?.uid;
          const gid = options.gid ?? keep?.gid;
          if (uid !== undefined && gid !== undefined) await handle.chown(uid, gid);
          await handle.chmod(mode);
          await handle.sync();
          await handle.close();
          await rename(temporary, `${dir}/${name}`);
        } catch (error) {
          await handle.close().catch(() => undefined);
          await unlink(temporary).catch(() => undefined);
          throw error;
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
