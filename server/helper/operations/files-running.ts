import { randomBytes } from "node:crypto";
import type { Stats } from "node:fs";
import { AppError, said } from "../../errors";
import type { TLogger } from "../../log";
import type { TRootfs } from "../../rootfs";
import { guestParentOf, type TFileEntry } from "../../schemas/files";
import { pipeCommand } from "../run/interactive";
import { GUEST_PATH } from "./console";

/**
 * Changes to a RUNNING container's files, made inside the container's own namespaces by its own tools, as its root
 * (`lxc-attach --clear-env -- …`): the kernel's user namespace judges them as it judges the container's own root
 * (what its id map does not reach cannot change; an idmapped root filesystem, whose owners on disk are the
 * container's own ids, is written as the container writes it). Reads stay with the rootfs module through the
 * init's /proc/PID/root (symlink-safe, fast): what is there before a change, the size of a received file, and the
 * entry each change answers with.
 *
 * Only tools both busybox and coreutils have, and only what both take: sh, cat, chmod, chown, mkdir, mv (-f -n
 * -T), rm, rmdir, ln -s, sync, test. The scripts are constant text; every value (a path, a mode, an id, a link's
 * text) is a positional argument ("$1"…), never part of a script, and comes after `--` wherever the tool takes
 * options. What the guest's tools print is hostile text: only used bounded, in an error's sentence.
 */

/** Scripts the guest's own sh runs: constant text, values only as "$1"…. */
export const GUEST_SCRIPTS = {
  /** stdin into a new file "$1" (noclobber: never an existing name), readable by root alone until installed. */
  receive: 'umask 077; set -C; exec cat > "$1"',
  /**
   * The received file "$1" given its owner ("$3" as coreutils takes numeric ids, "+U:+G"; else "$4" as busybox
   * does, "U:G"; none: kept as created, the container's root), its mode "$2", flushed, and renamed over "$5". A
   * link at "$5" is replaced, never followed (mv -T); busybox's mv -T refuses a link to a directory, which is
   * removed first.
   */
  install: [
    'if [ -n "$3" ]; then chown -- "$3" "$1" 2>/dev/null || chown -- "$4" "$1" || exit; fi',
    'chmod -- "$2" "$1" || exit',
    'sync -- "$1" 2>/dev/null',
    'if [ -L "$5" ] && [ -d "$5" ]; then rm -f -- "$5" || exit; fi',
    'exec mv -f -T -- "$1" "$5"',
  ].join("\n"),
  /** A link "$2" whose text is "$1", renamed over "$3" (as `install` does). */
  link: [
    'ln -s -- "$1" "$2" || exit',
    'if [ -L "$3" ] && [ -d "$3" ]; then rm -f -- "$3" || exit; fi',
    'exec mv -f -T -- "$2" "$3"',
  ].join("\n"),
  /** The owner of "$1" itself (a link's own): "$2" as coreutils takes numeric ids ("+U:+G"), else "$3". */
  chown: 'chown -h -- "$2" "$1" 2>/dev/null || exec chown -h -- "$3" "$1"',
} as const;

/** A mode as chmod and mkdir -m take it: five octal digits (coreutils keeps a directory's setgid bit otherwise). */
export const modeText = (mode: number) => `0${(mode & 0o7777).toString(8).padStart(4, "0")}`;

/** A script run by the guest's sh with its values as positional parameters ($0 is "sh"). */
const shell = (script: string, args: readonly string[]) => ["sh", "-c", script, "sh", ...args];

/** An owner as chown takes it: coreutils' numeric form ("+U:+G", never looked up as a name) and busybox's. */
export const ownerSpecs = (uid: number | undefined, gid: number | undefined) => {
  const spec = (prefix: string) =>
    `${uid === undefined ? "" : `${prefix}${uid}`}${gid === undefined ? "" : `:${prefix}${gid}`}`;
  return { coreutils: spec("+"), busybox: spec("") };
};

/** The commands run inside the container (argument arrays after lxc-attach's `--`). */
export const guestCommands = {
  receive: (temporary: string) => shell(GUEST_SCRIPTS.receive, [temporary]),
  install: (temporary: string, target: string, mode: number, owner: { uid: number; gid: number } | null) => {
    const specs = owner ? ownerSpecs(owner.uid, owner.gid) : { coreutils: "", busybox: "" };
    return shell(GUEST_SCRIPTS.install, [temporary, modeText(mode), specs.coreutils, specs.busybox, target]);
  },
  discard: (temporary: string) => ["rm", "-f", "--", temporary],
  mkdir: (guestPath: string, mode: number) => ["mkdir", "-m", modeText(mode), "--", guestPath],
  rename: (from: string, to: string) => ["mv", "-n", "-T", "--", from, to],
  remove: (guestPath: string, how: "entry" | "emptyDirectory" | "tree") =>
    how === "entry"
      ? ["rm", "-f", "--", guestPath]
      : how === "emptyDirectory"
        ? ["rmdir", "--", guestPath]
        : ["rm", "-r", "-f", "--", guestPath],
  chmod: (guestPath: string, mode: number) => ["chmod", "--", modeText(mode), guestPath],
  chown: (guestPath: string, uid: number | undefined, gid: number | undefined) => {
    const specs = ownerSpecs(uid, gid);
    return shell(GUEST_SCRIPTS.chown, [guestPath, specs.coreutils, specs.busybox]);
  },
  symlink: (target: string, temporary: string, guestPath: string) =>
    shell(GUEST_SCRIPTS.link, [target, temporary, guestPath]),
};

/** lxc-attach's arguments: the container, root inside it, a clean environment (C messages), then the command. */
export const attachArgv = (lxcPath: string, name: string, command: readonly string[]) => [
  "-n",
  name,
  "-P",
  lxcPath,
  "--clear-env",
  "-v",
  `PATH=${GUEST_PATH}`,
  "-v",
  "LC_ALL=C",
  "--",
  ...command,
];

/** A temporary name next to `guestPath` (the helper's random: the guest cannot guess it in advance). */
export const temporaryNextTo = (guestPath: string) => {
  const { parent } = guestParentOf(guestPath);
  const name = `.atelier-${randomBytes(8).toString("hex")}`;
  return parent === "/" ? `/${name}` : `${parent}/${name}`;
};

const MAX_STDERR_BYTES = 4096;
const MAX_REASON_CHARS = 300;
const STEP_TIMEOUT_MS = 60_000;
/** An upload's bytes at the client's pace (the call's own timeout, 6 h, aborts it first). */
const RECEIVE_TIMEOUT_MS = 7 * 60 * 60_000;

/** What the guest's tool printed, as a bounded one-line reason (hostile text: no control characters). */
export const reasonOf = (stderr: string) =>
  [...stderr.trim()]
    .map((char) => {
      const code = char.charCodeAt(0);
      return code < 32 || code === 127 ? " " : char;
    })
    .join("")
    .replace(/ {2,}/g, " ")
    .slice(-MAX_REASON_CHARS);

type TGuestResult = { exitCode: number | null; signal: number | null; timedOut: boolean; stderr: string };

/** A failed step said as the catalogue's sentence: the kernel's errors by their C-locale words, else the reason. */
export const guestFailure = (name: string, guestPath: string, result: TGuestResult) => {
  const text = result.stderr;
  if (/Failed to get init pid|Failed to get attach context/.test(text))
    return new AppError("CONFLICT", said("filesContainerChanged", { name }));
  if (/No space left on device|Disk quota exceeded/.test(text))
    return new AppError("PRECONDITION_FAILED", said("filesNoSpace", { path: guestPath }));
  if (/Read-only file system/.test(text))
    return new AppError("PRECONDITION_FAILED", said("filesReadOnly", { path: guestPath }));
  if (/Directory not empty/.test(text))
    return new AppError("PRECONDITION_FAILED", said("filesNotEmpty", { path: guestPath }));
  const reason = result.timedOut
    ? "timed out"
    : reasonOf(text) ||
      (result.exitCode === null ? `killed by signal ${result.signal ?? "?"}` : `exit ${result.exitCode}`);
  return new AppError("PRECONDITION_FAILED", said("filesGuestFailed", { path: guestPath, name, reason }));
};

const relativeOf = (guestPath: string) => guestPath.slice(1);

/**
 * The changes of the files contract for one running container `name` (its place already judged: running, and an
 * admin's ticket checked when it is privileged). `rootfs` is the module rooted at its init's /proc/PID/root;
 * `entryOf` describes an entry as the container sees it; `idOf` gives a host id as the container sees it.
 */
export const runningChanges = ({
  lxcPath,
  name,
  rootfs,
  entryOf,
  containerIds,
  log,
}: {
  lxcPath: string;
  name: string;
  rootfs: TRootfs;
  /** An entry's description as the container sees it (ids through its map, names from its accounts). */
  entryOf: (guestPath: string, stats: Stats, linkTarget: string | null) => TFileEntry;
  /** An entry's owner as the container sees it, or null when its map does not reach it. */
  containerIds: (stats: Stats) => { uid: number; gid: number } | null;
  log?: TLogger;
}) => {
  /** Runs a command inside the container as its root; its stderr kept bounded. */
  const inGuest = async (
    command: readonly string[],
    {
      signal,
      stdin = null,
      timeoutMs = STEP_TIMEOUT_MS,
    }: { signal?: AbortSignal; stdin?: AsyncIterable<Buffer> | null; timeoutMs?: number } = {},
  ): Promise<TGuestResult> => {
    const errors: Buffer[] = [];
    let kept = 0;
    const result = await pipeCommand("lxc-attach", attachArgv(lxcPath, name, command), {
      timeoutMs,
      signal: signal ?? new AbortController().signal,
      stdin,
      onChunk: (stream, chunk) => {
        if (stream === "stderr" && kept < MAX_STDERR_BYTES) {
          const part = chunk.subarray(0, MAX_STDERR_BYTES - kept);
          errors.push(part);
          kept += part.length;
        }
        return Promise.resolve();
      },
      ...(log ? { log } : {}),
    });
    return { ...result, stderr: Buffer.concat(errors).toString("utf8") };
  };

  /** Runs a step and throws its failure as a sentence. */
  const step = async (
    guestPath: string,
    command: readonly string[],
    options: { signal?: AbortSignal; stdin?: AsyncIterable<Buffer> | null; timeoutMs?: number } = {},
  ) => {
    const result = await inGuest(command, options);
    options.signal?.throwIfAborted();
    if (result.exitCode !== 0) throw guestFailure(name, guestPath, result);
  };

  /** A temporary entry removed (a second attach, whatever ended the first: a failure or a cancel). */
  const discard = async (temporary: string) => {
    const result = await inGuest(guestCommands.discard(temporary)).catch(() => null);
    if (result?.exitCode !== 0)
      log?.warn(`files: ${temporary} in ${name} could not be removed`, {
        reason: result ? reasonOf(result.stderr) : "lxc-attach did not run",
      });
  };

  const lstatOf = (guestPath: string) => rootfs.lstat(relativeOf(guestPath));

  /** The entry now at `guestPath`, read back through the module. */
  const entryNow = async (guestPath: string) => {
    const { stats, linkTarget } = await rootfs.describe(relativeOf(guestPath));
    return entryOf(guestPath, stats, linkTarget);
  };

  const missing = (guestPath: string) =>
    new AppError("NOT_FOUND", said("rootfsPathMissing", { path: guestPath }));
  const refused = (guestPath: string, why: "isDirectory" | "special" | "notDirectory" | "rootItself") =>
    new AppError("BAD_REQUEST", said("rootfsPathRefused", { path: guestPath, why }));
  const exists = (guestPath: string) =>
    new AppError("CONFLICT", said("filesTargetExists", { path: guestPath }));

  /** The directory a new entry goes into must be one (links on the way followed inside the container). */
  const checkParent = async (guestPath: string) => {
    const { parent } = guestParentOf(guestPath);
    const { stats } = await rootfs.describe(relativeOf(parent), { followLast: true });
    if (!stats.isDirectory()) throw refused(parent, "notDirectory");
  };

  /**
   * A file written from `source` (a write's content, an upload's chunks): received into a temporary file next to
   * the name, its size checked (what was sent, and what is on disk), then given its mode and owner and renamed over
   * the name. On any failure or a cancel the temporary file is removed: nothing half-written is ever at the name.
   */
  const put = async (
    guestPath: string,
    source: Iterable<Buffer> | AsyncIterable<Buffer>,
    options: {
      size?: number;
      mode?: number;
      expectedMtime?: string;
      signal?: AbortSignal;
      timeoutMs?: number;
    },
  ) => {
    const existing = await lstatOf(guestPath);
    if (existing && !existing.isFile() && !existing.isSymbolicLink())
      throw refused(guestPath, existing.isDirectory() ? "isDirectory" : "special");
    if (
      options.expectedMtime !== undefined &&
      existing?.isFile() &&
      existing.mtime.toISOString() !== options.expectedMtime
    )
      throw new AppError("CONFLICT", said("filesConflict", { path: guestPath }));
    await checkParent(guestPath);
    // An existing file keeps its mode and owner (when the container's map reaches it); a new one is 0644, root's.
    const keep = existing?.isFile() ? existing : null;
    const mode = options.mode ?? (keep ? keep.mode & 0o7777 : 0o644);
    const owner = keep ? containerIds(keep) : null;
    const temporary = temporaryNextTo(guestPath);
    let sent = 0;
    let isTooLong = false;
    const sourceFailure: { error: unknown } = { error: null };
    const counted = async function* () {
      try {
        for await (const chunk of source) {
          sent += chunk.length;
          if (options.size !== undefined && sent > options.size) {
            isTooLong = true;
            return;
          }
          yield chunk;
        }
      } catch (error) {
        sourceFailure.error = error;
      }
    };
    try {
      await step(guestPath, guestCommands.receive(temporary), {
        stdin: counted(),
        timeoutMs: options.timeoutMs ?? RECEIVE_TIMEOUT_MS,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const failed = sourceFailure.error;
      if (failed) throw failed instanceof Error ? failed : new Error("the upload's source failed");
      if (isTooLong || (options.size !== undefined && sent !== options.size))
        throw new AppError(
          "BAD_REQUEST",
          said("filesUploadSize", { received: sent, expected: options.size ?? sent }),
        );
      const received = await lstatOf(temporary);
      if (!received?.isFile() || received.size !== sent)
        throw new AppError(
          "PRECONDITION_FAILED",
          said("filesGuestFailed", {
            path: guestPath,
            name,
            reason: `${received?.size ?? 0} of ${sent} bytes reached the disk`,
          }),
        );
      await step(guestPath, guestCommands.install(temporary, guestPath, mode, owner), {
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      await discard(temporary);
      throw error;
    }
    return entryNow(guestPath);
  };

  return {
    write: (guestPath: string, content: string, options: { mode?: number; expectedMtime?: string }) =>
      put(guestPath, [Buffer.from(content, "utf8")], { ...options, timeoutMs: STEP_TIMEOUT_MS }),

    upload: (
      guestPath: string,
      upstream: AsyncIterable<Buffer>,
      options: { size: number; mode?: number; signal: AbortSignal },
    ) => put(guestPath, upstream, options),

    mkdir: async (guestPath: string, mode: number) => {
      if (await lstatOf(guestPath)) throw exists(guestPath);
      await checkParent(guestPath);
      await step(guestPath, guestCommands.mkdir(guestPath, mode));
      return entryNow(guestPath);
    },

    /** Never replaces an existing `to`: checked first, then mv -n, then the source must be gone. */
    rename: async (from: string, to: string) => {
      if (!(await lstatOf(from))) throw missing(from);
      if (await lstatOf(to)) throw exists(to);
      await checkParent(to);
      await step(to, guestCommands.rename(from, to));
      // mv -n skips quietly when something took the name meanwhile.
      if (await lstatOf(from)) throw exists(to);
      return entryNow(to);
    },

    /**
     * A link is removed as a link (rm never follows the name itself); a directory when empty, or with its contents
     * when `recursive`, never across a mount inside it (checked by the module's walk, which also counts).
     */
    remove: async (guestPath: string, recursive: boolean) => {
      if (guestPath === "/") throw refused(guestPath, "rootItself");
      const stats = await lstatOf(guestPath);
      if (!stats) throw missing(guestPath);
      let removed = 1;
      if (!stats.isDirectory()) await step(guestPath, guestCommands.remove(guestPath, "entry"));
      else if (!recursive) await step(guestPath, guestCommands.remove(guestPath, "emptyDirectory"));
      else {
        removed = 0;
        await rootfs.walkTree(relativeOf(guestPath), { others: false }, (entry) => {
          if (entry.stats.isDirectory() && (entry.refused || entry.stats.dev !== stats.dev)) {
            const at = entry.path === "" ? guestPath : `${guestPath}/${entry.path}`;
            return Promise.reject(new AppError("PRECONDITION_FAILED", said("filesMountPoint", { path: at })));
          }
          removed += 1;
          return Promise.resolve();
        });
        await step(guestPath, guestCommands.remove(guestPath, "tree"));
      }
      if (await lstatOf(guestPath))
        throw new AppError(
          "PRECONDITION_FAILED",
          said("filesGuestFailed", { path: guestPath, name, reason: "it is still there" }),
        );
      log?.info(`files: removed ${removed} entr${removed === 1 ? "y" : "ies"} at ${guestPath} in ${name}`);
      return { removed };
    },

    /** A regular file's or directory's mode (chmod follows links: a link is refused first, as it has none). */
    chmod: async (guestPath: string, mode: number) => {
      const stats = await lstatOf(guestPath);
      if (!stats) throw missing(guestPath);
      if (stats.isSymbolicLink())
        throw new AppError("BAD_REQUEST", said("filesLinkMode", { path: guestPath }));
      if (!stats.isFile() && !stats.isDirectory()) throw refused(guestPath, "special");
      await step(guestPath, guestCommands.chmod(guestPath, mode));
      return entryNow(guestPath);
    },

    /** An entry's own owner (a link's own), by the container's ids. */
    chown: async (guestPath: string, uid: number | undefined, gid: number | undefined) => {
      if (!(await lstatOf(guestPath))) throw missing(guestPath);
      if (uid !== undefined || gid !== undefined)
        await step(guestPath, guestCommands.chown(guestPath, uid, gid));
      return entryNow(guestPath);
    },

    /** Creates a link, or replaces a link or file at the name (a temporary link renamed over it). */
    symlink: async (guestPath: string, target: string) => {
      const existing = await lstatOf(guestPath);
      if (existing?.isDirectory()) throw refused(guestPath, "isDirectory");
      await checkParent(guestPath);
      const temporary = temporaryNextTo(guestPath);
      try {
        await step(guestPath, guestCommands.symlink(target, temporary, guestPath));
      } catch (error) {
        await discard(temporary);
        throw error;
      }
      return entryNow(guestPath);
    },
  };
};
