import { constants, type BigIntStats, type Dirent } from "node:fs";
import { access, chmod, lchown, lstat, open, readdir, readFile, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { AppError, said } from "../errors";
import { isRunError, run } from "./run/runner";

/**
 * Shifts the owners of a root filesystem by an id map, as root, on a tree its guest controls: what an unprivileged
 * container needs when its root filesystem cannot be mounted idmapped (privileged 0-based ids → a range of the
 * pool, one range → another for a clone, a range → 0 to make it privileged again). Every uid and gid in
 * from..from+count-1 becomes to..to+count-1, users and groups alike (Atelier's maps are one range for both).
 *
 * The tree is hostile (its container is stopped, but whatever its root made is there):
 * - no path that may be a link is followed: every entry is reached from its directory's open descriptor
 *   (`/proc/self/fd/DIR/NAME`, the *at() system calls' resolution: the directory is the one opened, the name is
 *   looked at without following it), lstat'ed, lchown'ed; a directory is opened with O_NOFOLLOW and checked to be
 *   the inode lstat saw before it is descended into; chmod (which follows) only on what lstat said is no link;
 * - it stays on the tree's filesystem: an entry of another device, or a mount point (bind mounts of the same
 *   filesystem, from /proc/self/mountinfo) is left alone, neither shifted nor descended into, and named;
 * - a hard-linked inode is shifted once (its other names are counted, not shifted back);
 * - chown(2) clears setuid and setgid bits (and file capabilities): the mode is put back after, except the bit of
 *   an owner that was outside the map (a setuid program of a user the container does not have is not kept so);
 * - an id outside the source range is given the target's "nobody" (to + 65534): what the kernel shows for an
 *   unmapped id through a user namespace anyway, and never a host id outside the target range (a privileged
 *   container's root could have given a file another container's id, or host root's). Refusing instead would leave
 *   every such container unconvertible for a stray file; they are counted and the first few named;
 * - an id already in the target range is left as it is: a shift that was cancelled or failed half way is undone
 *   by the reverse shift (or finished by the same one) without touching what was not shifted yet. Source and
 *   target ranges must not overlap.
 * - POSIX ACLs (system.posix_acl_access and _default: their named users and groups) are shifted with getfacl and
 *   setfacl (Debian's `acl`, not installed by default) and v3 file capabilities' root id (security.capability)
 *   with getcap and setcap (`libcap2-bin`, installed by default), both read before any chown (which drops
 *   capabilities) and written after it, through the entry's descriptor path; with a tool missing, the result says
 *   what was not shifted and why.
 *
 * Speed: two walks (a count of the names for the progress's total, readdir only; then lstat, lchown and what else
 * each entry needs), each with `concurrency` file system calls in flight, the most recently queued first, so
 * that directories are walked depth first and only about depth × concurrency of them are open at a time.
 */
export type TIdShift = { from: number; to: number; count: number };

export type TShiftResult = {
  /** Names visited (the root included), hard links counted per name. */
  entries: number;
  /** Inodes whose owner or group changed. */
  shifted: number;
  /** Further names of an inode already shifted through another name. */
  hardLinks: number;
  /** Inodes whose ids were already in the target range (a shift finished or undone). */
  alreadyShifted: number;
  /** Inodes with an id outside the source range, given the target's nobody: how many, and the first few. */
  outside: { count: number; sample: string[] };
  /** Mount points in the tree (other filesystems, bind mounts), left alone. */
  otherMounts: string[];
  /** Files whose ACLs were shifted, and whose file capabilities were written again with the new root id. */
  acls: number;
  capabilities: number;
  /** What was not shifted, and why (a missing tool, an entry that could not be set). */
  notShifted: string[];
  durationMs: number;
};

export type TShiftOptions = {
  signal?: AbortSignal;
  /** Names done and the total, at most every `progressEveryMs` and once at the end. */
  onProgress?: (done: number, total: number) => void;
  progressEveryMs?: number;
  /** File system calls in flight at a time (default 32). */
  concurrency?: number;
  /** Where getfacl, setfacl, getcap and setcap are looked for (tests leave them out with a directory of none). */
  tools?: TShiftTools;
};

type TTool = `/${string}`;
export type TShiftTools = { getfacl: TTool; setfacl: TTool; getcap: TTool; setcap: TTool };

const TOOLS: TShiftTools = {
  getfacl: "/usr/bin/getfacl",
  setfacl: "/usr/bin/setfacl",
  getcap: "/usr/sbin/getcap",
  setcap: "/usr/sbin/setcap",
};

const NOBODY = 65534;
const SAMPLE = 10;
const OPEN_DIRECTORY = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
const TOOL_TIMEOUT_MS = 10 * 60 * 1000;

/** The id `id` becomes, and whether it was outside the map (then the target's nobody). */
export const shiftedId = (shift: TIdShift, id: number): { id: number; outside: boolean } => {
  if (id >= shift.from && id < shift.from + shift.count)
    return { id: shift.to + (id - shift.from), outside: false };
  if (id >= shift.to && id < shift.to + shift.count) return { id, outside: false };
  return { id: shift.to + Math.min(NOBODY, shift.count - 1), outside: true };
};

/** A slot-handing limiter: at most `size` tasks run, the most recently queued first (a depth-first walk). */
const lifo = (size: number) => {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (active < size) active += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = waiting.pop();
      if (next) next();
      else active -= 1;
    }
  };
};

/** A name inside a tree, as a key: its bytes (a name need not be UTF-8) one character each. */
type TRel = string;
const relOf = (parent: TRel, name: Buffer): TRel =>
  parent === "" ? name.toString("latin1") : `${parent}/${name.toString("latin1")}`;
const shown = (rel: TRel) => `/${Buffer.from(rel, "latin1").toString("utf8")}`;
/** The path of `name` in the directory open as `fd` (resolved like the *at() calls: the link is not followed). */
const at = (fd: number, name: Buffer) => Buffer.concat([Buffer.from(`/proc/self/fd/${fd}/`), name]);
/**
 * The same path as another process (setcap) sees it, when the name can go in an argument (arguments are UTF-8
 * strings); null otherwise.
 */
const atForChild = (fd: number, name: Buffer) => {
  const text = name.toString("utf8");
  return Buffer.from(text, "utf8").equals(name) ? `/proc/${process.pid}/fd/${fd}/${text}` : null;
};

/** Mount points strictly below `root` as the helper's mount namespace has them (mountinfo's 5th field). */
const mountPointsBelow = async (root: string) => {
  const text = await readFile("/proc/self/mountinfo", "latin1").catch(() => "");
  const below = new Set<TRel>();
  for (const line of text.split("\n")) {
    const field = line.split(" ")[4];
    if (field === undefined) continue;
    const point = Buffer.from(
      field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))),
      "latin1",
    ).toString("latin1");
    if (point.startsWith(`${root}/`)) below.add(point.slice(root.length + 1));
  }
  return below;
};

const present = async (tool: string) =>
  access(tool, constants.X_OK).then(
    () => true,
    () => false,
  );

/** getfacl's escapes (\ooo for every byte that is not printable ASCII, backslash and space) undone, as a key. */
const unescapeAcl = (text: string) =>
  text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

/**
 * The ACLs of every file of the tree that has more than the base entries, by name: getfacl -R -P (a physical
 * walk: links are not followed) with numeric ids.
 */
const readAcls = async (root: string, tool: TTool, signal: AbortSignal) => {
  const result = await run(tool, ["-R", "-P", "-n", "--skip-base", "--absolute-names", "--", root], {
    timeoutMs: TOOL_TIMEOUT_MS,
    signal,
    package: "acl",
    maxOutputBytes: 256 * 1024 * 1024,
  });
  const acls = new Map<TRel, string[]>();
  for (const block of result.stdout.split(/\n\n+/)) {
    const lines = block.split("\n").filter((line) => line !== "");
    const file = lines.find((line) => line.startsWith("# file: "));
    if (file === undefined) continue;
    const absolute = unescapeAcl(file.slice("# file: ".length));
    const rel =
      absolute === root ? "" : absolute.startsWith(`${root}/`) ? absolute.slice(root.length + 1) : null;
    if (rel === null) continue;
    acls.set(
      rel,
      lines.filter((line) => !line.startsWith("#")),
    );
  }
  return { acls, problem: result.exitCode === 0 ? null : (result.stderr.trim().split("\n")[0] ?? "") };
};

/** An ACL's named users and groups shifted (`user:1000:rwx`, `default:group:4:r-x`). */
const shiftAcl = (shift: TIdShift, entries: string[]) =>
  entries.map((entry) => {
    const match = /^((?:default:)?(?:user|group):)(\d+)(:.*)$/.exec(entry);
    return match ? `${match[1]}${shiftedId(shift, Number(match[2])).id}${match[3]}` : entry;
  });

/**
 * The capabilities of every file of the tree that has some, by name: getcap -r (which does not follow links) with
 * -n for v3 capabilities' root id. getcap prints `PATH CAPS [rootid=N]` unquoted: a path with a space is told
 * from the capabilities by lstat (the first split whose path is a regular file of the tree).
 */
const readCapabilities = async (root: string, tool: TTool, signal: AbortSignal) => {
  const result = await run(tool, ["-r", "-n", root], {
    timeoutMs: TOOL_TIMEOUT_MS,
    signal,
    package: "libcap2-bin",
    maxOutputBytes: 256 * 1024 * 1024,
  });
  const capabilities = new Map<TRel, { text: string; rootid: number }>();
  const unread: string[] = [];
  for (const raw of result.stdout.split("\n")) {
    if (raw.trim() === "") continue;
    const rootidMatch = / \[rootid=(\d+)\]$/.exec(raw);
    const line = rootidMatch ? raw.slice(0, rootidMatch.index) : raw;
    let found = false;
    for (let index = line.indexOf(" "); index !== -1; index = line.indexOf(" ", index + 1)) {
      const candidate = line.slice(0, index);
      const text = line.slice(index + 1);
      if (!/^(=|cap_)/.test(text) || !candidate.startsWith(`${root}/`)) continue;
      const info = await lstat(candidate).catch(() => null);
      if (!info?.isFile()) continue;
      capabilities.set(Buffer.from(candidate.slice(root.length + 1), "utf8").toString("latin1"), {
        text,
        rootid: Number(rootidMatch?.[1] ?? 0),
      });
      found = true;
      break;
    }
    if (!found) unread.push(raw);
  }
  return { capabilities, unread };
};

/**
 * Shifts every owner of the tree at `root` (an absolute path to a directory, not a link) by `shift`; see above.
 * Throws (the tree then half shifted: the reverse shift undoes it) on a cancel or an entry that cannot be changed.
 */
export const shiftTree = async (
  root: string,
  shift: TIdShift,
  options: TShiftOptions = {},
): Promise<TShiftResult> => {
  const began = performance.now();
  if (!path.isAbsolute(root) || root.includes("\0")) throw new Error(`not an absolute path: ${root}`);
  root = path.resolve(root);
  if (
    ![shift.from, shift.to, shift.count].every((value) => Number.isInteger(value) && value >= 0) ||
    shift.count < 1 ||
    shift.to + shift.count > 2 ** 32 - 1 ||
    shift.from + shift.count > 2 ** 32 - 1
  )
    throw new Error(`not an id map: ${JSON.stringify(shift)}`);
  if (shift.from < shift.to + shift.count && shift.to < shift.from + shift.count && shift.from !== shift.to)
    throw new Error(`the source and target ranges overlap: ${JSON.stringify(shift)}`);
  const tools = options.tools ?? TOOLS;
  // One controller for the caller's cancel and the walk's own failure: what is queued stops at once.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();
  const signal = stop.signal;
  const cancelled = () => new AppError("CONFLICT", said("operationCancelled"));
  const limit = lifo(options.concurrency ?? 32);
  const result: TShiftResult = {
    entries: 0,
    shifted: 0,
    hardLinks: 0,
    alreadyShifted: 0,
    outside: { count: 0, sample: [] },
    otherMounts: [],
    acls: 0,
    capabilities: 0,
    notShifted: [],
    durationMs: 0,
  };

  /** The first error of the walk (what follows it is the walk being stopped). */
  let failure: unknown = null;
  const rootHandle = await open(root, OPEN_DIRECTORY).catch(async (error: NodeJS.ErrnoException) => {
    const link = (await lstat(root).catch(() => null))?.isSymbolicLink();
    const why = link ? "symlink" : error.code === "ENOTDIR" ? "notDirectory" : "other";
    throw new AppError("PRECONDITION_FAILED", said("rootfsPathRefused", { path: root, why }));
  });
  try {
    const rootStats = await rootHandle.stat({ bigint: true });
    const mountPoints = await mountPointsBelow(root);
    const skip = (rel: TRel, stats: { dev: bigint }) => stats.dev !== rootStats.dev || mountPoints.has(rel);

    /**
     * Walks the tree below the directory open as `handle`: `visit` is given each name (in its directory's
     * descriptor) and returns the handle of a directory to descend into, or null. A directory's handle is closed
     * once every name in it and below is done (never while a name is still reached through it).
     */
    const walk = async (
      handle: FileHandle,
      rel: TRel,
      visit: (dir: FileHandle, name: Buffer, rel: TRel, dirent: Dirent<Buffer>) => Promise<FileHandle | null>,
      close: boolean,
    ): Promise<void> => {
      try {
        const dirents = await limit(() => {
          if (signal.aborted) throw cancelled();
          return readdir(`/proc/self/fd/${handle.fd}`, { withFileTypes: true, encoding: "buffer" });
        });
        const settled = await Promise.allSettled(
          dirents.map(async (dirent) => {
            const childRel = relOf(rel, dirent.name);
            const child = await limit(() => {
              if (signal.aborted) throw cancelled();
              return visit(handle, dirent.name, childRel, dirent);
            });
            if (child) await walk(child, childRel, visit, true);
          }),
        );
        const failed = settled.find((outcome) => outcome.status === "rejected");
        if (failed) throw failed.reason;
      } catch (error) {
        failure ??= error;
        stop.abort();
        throw error;
      } finally {
        if (close) await handle.close();
      }
    };

    /** Opens the directory `name` of `dir` without following a link, and checks it is the inode lstat saw. */
    const openDirectory = async (dir: FileHandle, name: Buffer, rel: TRel, seen?: BigIntStats) => {
      const child = await open(at(dir.fd, name), OPEN_DIRECTORY);
      const stats = await child.stat({ bigint: true });
      if (seen !== undefined && (stats.ino !== seen.ino || stats.dev !== seen.dev)) {
        await child.close();
        throw new AppError("CONFLICT", said("rootfsPathRefused", { path: shown(rel), why: "changed" }));
      }
      if (skip(rel, stats)) {
        await child.close();
        return null;
      }
      return child;
    };

    // The capabilities and ACLs as they are before any chown (which drops capabilities), with the count.
    const [total, acls, capabilities] = await Promise.all([
      (async () => {
        let count = 1;
        await walk(
          rootHandle,
          "",
          async (dir, name, rel, dirent) => {
            if (mountPoints.has(rel)) return null;
            count += 1;
            if (!dirent.isDirectory()) return null;
            return openDirectory(dir, name, rel).catch(() => null);
          },
          false,
        );
        return count;
      })(),
      (async () => {
        if (!(await present(tools.getfacl)) || !(await present(tools.setfacl))) {
          result.notShifted.push(
            "ACLs: not read nor shifted, getfacl and setfacl (Debian's package acl, not installed by default) are missing",
          );
          return new Map<TRel, string[]>();
        }
        const read = await readAcls(root, tools.getfacl, signal);
        if (read.problem) result.notShifted.push(`ACLs: getfacl said: ${read.problem}`);
        return read.acls;
      })(),
      (async () => {
        if (!(await present(tools.getcap)) || !(await present(tools.setcap))) {
          result.notShifted.push(
            "File capabilities: not read nor shifted, getcap and setcap (Debian's package libcap2-bin) are missing (chown drops them: files that had some have none now)",
          );
          return new Map<TRel, { text: string; rootid: number }>();
        }
        const read = await readCapabilities(root, tools.getcap, signal);
        for (const line of read.unread.slice(0, SAMPLE))
          result.notShifted.push(
            `File capabilities: a line of getcap could not be matched to a file: ${line}`,
          );
        return read.capabilities;
      })(),
    ]);
    if (signal.aborted) throw cancelled();

    let lastProgress = 0;
    const every = options.progressEveryMs ?? 200;
    const progress = (final = false) => {
      const now = performance.now();
      if (!final && now - lastProgress < every) return;
      lastProgress = now;
      options.onProgress?.(result.entries, final ? result.entries : Math.max(total, result.entries));
    };
    const seenInodes = new Set<bigint>();

    /** How one inode is changed: through its directory's descriptor, or (the root) its own. */
    type TReach = {
      chown: (uid: number, gid: number) => Promise<void>;
      chmod: (mode: number) => Promise<void>;
      /** An open descriptor of the inode itself, for setfacl (which follows /proc/PID/fd/N to it). */
      open: () => Promise<FileHandle>;
      /** Its path for setcap, which refuses links (so not /proc/PID/fd/N itself): DIR descriptor + name. */
      childPath: string | null;
    };

    const shiftOne = async (reach: TReach, rel: TRel, stats: BigIntStats): Promise<void> => {
      result.entries += 1;
      progress();
      if (!stats.isDirectory() && stats.nlink > 1n) {
        if (seenInodes.has(stats.ino)) {
          result.hardLinks += 1;
          return;
        }
        seenInodes.add(stats.ino);
      }
      const uid = shiftedId(shift, Number(stats.uid));
      const gid = shiftedId(shift, Number(stats.gid));
      if (uid.outside || gid.outside) {
        result.outside.count += 1;
        if (result.outside.sample.length < SAMPLE)
          result.outside.sample.push(`${rel === "" ? "/" : shown(rel)} (${stats.uid}:${stats.gid})`);
      }
      const changed = uid.id !== Number(stats.uid) || gid.id !== Number(stats.gid);
      if (!changed) result.alreadyShifted += 1;
      else {
        await reach.chown(uid.id, gid.id);
        result.shifted += 1;
      }
      // chown dropped setuid and setgid: back, but not the bit of an owner that was outside the map.
      const special = Number(stats.mode) & 0o6000;
      if (changed && !stats.isSymbolicLink() && special !== 0) {
        const keep = (uid.outside ? 0 : 0o4000) | (gid.outside ? 0 : 0o2000) | 0o1777;
        await reach.chmod(Number(stats.mode) & keep);
      }
      const capability = capabilities.get(rel);
      if (capability && stats.isFile()) {
        const rootid = shiftedId(shift, capability.rootid).id;
        const written =
          reach.childPath === null
            ? null
            : await run(
                tools.setcap,
                [...(rootid === 0 ? [] : ["-n", String(rootid)]), capability.text, reach.childPath],
                { timeoutMs: 60_000, signal, package: "libcap2-bin" },
              );
        if (written?.exitCode === 0) result.capabilities += 1;
        else
          result.notShifted.push(
            `File capabilities of ${shown(rel)} (${capability.text}): ${written === null ? "its name is not UTF-8, setcap cannot be given it" : `setcap said ${written.stderr.trim()}`}`,
          );
      }
      const acl = acls.get(rel);
      if (acl && (stats.isFile() || stats.isDirectory())) {
        const handle = await reach.open();
        try {
          const opened = await handle.stat({ bigint: true });
          if (opened.ino !== stats.ino || opened.dev !== stats.dev)
            throw new AppError("CONFLICT", said("rootfsPathRefused", { path: shown(rel), why: "changed" }));
          const written = await run(
            tools.setfacl,
            ["-n", "--set-file=-", "--", `/proc/${process.pid}/fd/${handle.fd}`],
            { timeoutMs: 60_000, signal, package: "acl", input: `${shiftAcl(shift, acl).join("\n")}\n` },
          );
          if (written.exitCode === 0) result.acls += 1;
          else result.notShifted.push(`ACL of ${shown(rel)}: setfacl said ${written.stderr.trim()}`);
        } finally {
          await handle.close();
        }
      }
    };

    await shiftOne(
      {
        chown: (uid, gid) => rootHandle.chown(uid, gid),
        chmod: (mode) => rootHandle.chmod(mode),
        open: () => open(`/proc/self/fd/${rootHandle.fd}`, OPEN_DIRECTORY),
        childPath: null,
      },
      "",
      rootStats,
    );
    await walk(
      rootHandle,
      "",
      async (dir, name, rel) => {
        const target = at(dir.fd, name);
        const stats = await lstat(target, { bigint: true });
        if (skip(rel, stats)) {
          result.otherMounts.push(shown(rel));
          return null;
        }
        await shiftOne(
          {
            chown: (uid, gid) => lchown(target, uid, gid),
            // Never a link here (lstat said so, and the container is stopped).
            chmod: (mode) => chmod(target, mode),
            open: () =>
              open(
                target,
                (stats.isDirectory() ? OPEN_DIRECTORY : constants.O_RDONLY | constants.O_NOFOLLOW) |
                  constants.O_NONBLOCK,
              ),
            childPath: atForChild(dir.fd, name),
          },
          rel,
          stats,
        );
        return stats.isDirectory() ? openDirectory(dir, name, rel, stats) : null;
      },
      false,
    );
    progress(true);
    result.durationMs = Math.round(performance.now() - began);
    return result;
  } catch (error) {
    if (options.signal?.aborted || isRunError(error, "aborted")) throw cancelled();
    throw failure ?? error;
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    await rootHandle.close();
  }
};
