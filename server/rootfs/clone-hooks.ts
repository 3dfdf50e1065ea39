import type { Stats } from "node:fs";
import { AppError, said, type TErrorParams } from "../errors";
import { cloneHooksOf, lastValueOf, readConfigWithIncludes, type TExpandedEntry } from "./config-includes";
import { isWhiteout, layersOf, storageOf } from "./hostname";
import type { TRootfs } from ".";

/**
 * The clone hooks' paths, checked before a clone, a snapshot or a restore. liblxc's clone (lxccontainer.c,
 * clone_update_rootfs) runs every `lxc.hook.clone` of the new container's config as root on the host, no chroot,
 * with LXC_ROOTFS_MOUNT naming its root filesystem (for an overlay, the overlay mounted in a private namespace): for
 * `lxc-copy` with or without `-K`, for `lxc-snapshot` (a clone into snaps/) and for every restore (a clone of the
 * snapshot). LXC's own `common.conf`, which every distribution's common file and Atelier's tarball configs include,
 * sets `lxc.hook.clone = /usr/share/lxc/hooks/clonehostname`: a shell script that runs
 * `sed -i "s|$LXC_SRC_NAME|$LXC_NAME|"` on `etc/hosts`, `etc/sysconfig/network` and every
 * `etc/sysconfig/network-scripts/ifcfg-*` of that rootfs when `[ -f ]` finds a regular file, following links.
 * Measured: a guest's `etc/hosts` linked to a host file put the host file's content into the clone (sed -i
 * replaces the link with a file of its own), and a guest's `etc/sysconfig` linked to a host directory had that
 * directory's `network` file rewritten on the host.
 *
 * So while the config (its includes expanded: config-includes.ts) has any clone hook, the helper looks
 * at those paths in the rootfs the hook will run on, with lstat inside each layer (the rootfs module: no link ever
 * followed out), and refuses the operation while one of them is a link, or not of its kind: `etc`, `etc/sysconfig`
 * and `etc/sysconfig/network-scripts` must be directories (or absent); `etc/hosts`, `etc/sysconfig/network` and each
 * `ifcfg-*` regular files (or absent, or a directory, which `[ -f ]` skips: openSUSE's `etc/sysconfig/network` is
 * one); an `ifcfg-*` name with a space, tab, newline, `*`, `?`, `[` or backslash is refused too (the script expands
 * `$file` unquoted, so such a name would become other words or other paths). An overlay's every layer is looked at
 * on its own (a link a higher layer hides is refused too; whiteouts count as absent). A clone hook other than
 * clonehostname is an admin's line (hooks are admin-only): its own paths are its author's to keep safe.
 */
export const CLONEHOSTNAME = "/usr/share/lxc/hooks/clonehostname";

/** Why a path stands in the way, as the refusal's sentence names it (its `reason` select in the catalogue). */
export type TCloneHookReason =
  | { reason: "symlink" | "special" | "fileNotDirectory" | "specialNotDirectory" | "unsafeName" }
  | { reason: "unreadable"; detail: string };

/** `why` in English words (a log's, a test's); `reason` the same as the catalogue's values. */
export type TCloneHookPathProblem = { path: string; why: string; layer: string; reason: TCloneHookReason };

export type TCloneHookProblem = {
  hooks: TExpandedEntry[];
  /** Includes that could not be read (a clone hook may be in one). */
  unread: string[];
} & (
  | { path: string; why: string; layer: string; reason: TCloneHookReason }
  | { path: null; why: string; layer: null; storage: string }
);

type TExpected = "directory" | "file";

const WHY: Record<Exclude<TCloneHookReason["reason"], "unreadable">, string> = {
  symlink: "is a symbolic link",
  special: "is a device, socket or FIFO",
  fileNotDirectory: "is a file, not a directory",
  specialNotDirectory: "is a device, socket or FIFO, not a directory",
  unsafeName: "has a space, tab, newline, *, ?, [ or backslash in its name",
};

const kindProblem = (stats: Stats | null, expected: TExpected): TCloneHookReason | null => {
  if (stats === null || isWhiteout(stats)) return null;
  if (stats.isSymbolicLink()) return { reason: "symlink" };
  if (stats.isDirectory()) return null;
  if (expected === "file") return stats.isFile() ? null : { reason: "special" };
  return { reason: stats.isFile() ? "fileNotDirectory" : "specialNotDirectory" };
};

const DIRECTORIES = new Set(["etc", "etc/sysconfig", "etc/sysconfig/network-scripts"]);

/** A name the script's unquoted `$file` would split into words or expand as a pattern. */
const UNSAFE_NAME = /[ \t\n*?[\\]/;

/** The first problem in one layer (a directory rootfs is one layer), or null. */
export const cloneHookPathProblem = async (layer: TRootfs): Promise<TCloneHookPathProblem | null> => {
  const problem = (path: string, reason: TCloneHookReason): TCloneHookPathProblem => ({
    path,
    why: reason.reason === "unreadable" ? `cannot be looked into (${reason.detail})` : WHY[reason.reason],
    layer: layer.root,
    reason,
  });
  /** The entry at `path`, or a problem; `isDirectory` says whether the walk goes on below it. */
  const look = async (path: string, expected: TExpected) => {
    const stats = await layer.lstat(path).catch((error: unknown) => {
      if (error instanceof AppError) return error;
      throw error;
    });
    if (stats instanceof AppError)
      return { problem: problem(path, { reason: "unreadable", detail: stats.message }) };
    const why = kindProblem(stats, expected);
    if (why) return { problem: problem(path, why) };
    return { isDirectory: stats !== null && !isWhiteout(stats) && stats.isDirectory() };
  };

  const etc = await look("etc", "directory");
  if (etc.problem || !etc.isDirectory) return etc.problem ?? null;
  const hosts = await look("etc/hosts", "file");
  if (hosts.problem) return hosts.problem;
  const sysconfig = await look("etc/sysconfig", "directory");
  if (sysconfig.problem || !sysconfig.isDirectory) return sysconfig.problem ?? null;
  const network = await look("etc/sysconfig/network", "file");
  if (network.problem) return network.problem;
  const scripts = await look("etc/sysconfig/network-scripts", "directory");
  if (scripts.problem || !scripts.isDirectory) return scripts.problem ?? null;
  const names = (await layer.list("etc/sysconfig/network-scripts")) ?? [];
  for (const name of names.filter((entry) => entry.startsWith("ifcfg-")).sort()) {
    const path = `etc/sysconfig/network-scripts/${name}`;
    if (UNSAFE_NAME.test(name)) return problem(path, { reason: "unsafeName" });
    const script = await look(path, "file");
    if (script.problem) return script.problem;
  }
  return null;
};

/**
 * What stands in the way of a clone of the container (or snapshot) whose config is `configFile`: null when its
 * config runs no clone hook, or when none of the hook's paths is a problem in its rootfs.
 */
export const cloneHookProblem = async (configFile: string): Promise<TCloneHookProblem | null> => {
  const config = await readConfigWithIncludes(configFile);
  const hooks = cloneHooksOf(config);
  const unread = config.unread.map(({ file, why }) => `${file} (${why})`);
  if (hooks.length === 0 && unread.length === 0) return null;
  const storage = await storageOf(lastValueOf(config, "lxc.rootfs.path"));
  if (storage.kind === "other")
    return {
      hooks,
      unread,
      path: null,
      layer: null,
      why: `its root filesystem (${storage.value}) is not a directory or an overlay Atelier can look into`,
      storage: storage.value,
    };
  for (const layer of layersOf(storage)) {
    const found = await cloneHookPathProblem(layer);
    if (found) return { hooks, unread, ...found };
  }
  return null;
};

/** The hooks that would run, as the refusal's values (its `hook` select in the catalogue). */
const hookWords = ({ hooks, unread }: TCloneHookProblem): TErrorParams => {
  const [first, ...more] = hooks;
  if (!first) return { hook: "unread", unread: unread.join(", "), more: 0 };
  return {
    hook: first.value === CLONEHOSTNAME ? "clonehostname" : "other",
    value: first.value.slice(0, 160),
    line: first.line,
    file: first.file,
    more: more.length,
  };
};

/** What cannot be done: a copy, a snapshot or a restore (the refusal's `subject` select in the catalogue). */
export type TCloneSubject =
  { subject: "copy" | "snapshot"; name: string } | { subject: "restore"; snapshot: string; name: string };

/**
 * Throws PRECONDITION_FAILED, saying which path is the problem and what to do, unless `cloneHookProblem` finds
 * none. `subject` names what cannot be done ("\"web\" cannot be copied"); `inSnapshot`: the files are a snapshot's,
 * which only an admin on the host can change (otherwise the fix is made inside the container).
 */
export const refuseCloneHookProblem = async ({
  configFile,
  subject,
  inSnapshot = false,
}: {
  configFile: string;
  subject: TCloneSubject;
  inSnapshot?: boolean;
}) => {
  const problem = await cloneHookProblem(configFile).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT")
      throw new AppError("NOT_FOUND", said("cloneConfigMissing", { ...subject, file: configFile }));
    throw error;
  });
  if (!problem) return;
  const hooks = hookWords(problem);
  if (problem.path === null)
    throw new AppError(
      "PRECONDITION_FAILED",
      said("cloneHookStorage", { ...subject, ...hooks, storage: problem.storage }),
    );
  const params = {
    ...subject,
    ...hooks,
    ...problem.reason,
    path: problem.path,
    layer: problem.layer.replace(/\/+$/, ""),
    kind: DIRECTORIES.has(problem.path) ? "directory" : "file",
  };
  throw new AppError(
    "PRECONDITION_FAILED",
    said(inSnapshot ? "cloneHookPathInSnapshot" : "cloneHookPath", params),
  );
};
