import type { Stats } from "node:fs";
import { AppError } from "../errors";
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

export type TCloneHookPathProblem = { path: string; why: string; layer: string };

export type TCloneHookProblem = {
  hooks: TExpandedEntry[];
  /** Includes that could not be read (a clone hook may be in one). */
  unread: string[];
} & ({ path: string; why: string; layer: string } | { path: null; why: string; layer: null });

type TExpected = "directory" | "file";

const kindProblem = (stats: Stats | null, expected: TExpected): string | null => {
  if (stats === null || isWhiteout(stats)) return null;
  if (stats.isSymbolicLink()) return "is a symbolic link";
  if (stats.isDirectory()) return null;
  if (expected === "file") return stats.isFile() ? null : "is a device, socket or FIFO";
  return stats.isFile() ? "is a file, not a directory" : "is a device, socket or FIFO, not a directory";
};

const DIRECTORIES = new Set(["etc", "etc/sysconfig", "etc/sysconfig/network-scripts"]);

/** A name the script's unquoted `$file` would split into words or expand as a pattern. */
const UNSAFE_NAME = /[ \t\n*?[\\]/;

/** The first problem in one layer (a directory rootfs is one layer), or null. */
export const cloneHookPathProblem = async (layer: TRootfs): Promise<TCloneHookPathProblem | null> => {
  const problem = (path: string, why: string) => ({ path, why, layer: layer.root });
  /** The entry at `path`, or a problem; `isDirectory` says whether the walk goes on below it. */
  const look = async (path: string, expected: TExpected) => {
    const stats = await layer.lstat(path).catch((error: unknown) => {
      if (error instanceof AppError) return error;
      throw error;
    });
    if (stats instanceof AppError)
      return { problem: problem(path, `cannot be looked into (${stats.message})`) };
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
    if (UNSAFE_NAME.test(name))
      return problem(path, "has a space, tab, newline, *, ?, [ or backslash in its name");
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
    };
  for (const layer of layersOf(storage)) {
    const found = await cloneHookPathProblem(layer);
    if (found) return { hooks, unread, ...found };
  }
  return null;
};

const describeHooks = ({ hooks, unread }: TCloneHookProblem) => {
  const [first, ...more] = hooks;
  if (!first) return `whatever clone hook these unreadable includes may hold (${unread.join(", ")})`;
  const where = `line ${first.line} of ${first.file}`;
  const what =
    first.value === CLONEHOSTNAME
      ? `LXC's clone hook (lxc.hook.clone = ${first.value}, ${where}), which runs sed -i on etc/hosts, etc/sysconfig/network and etc/sysconfig/network-scripts/ifcfg-* in the new root filesystem`
      : `a clone hook (lxc.hook.clone = ${first.value.slice(0, 160)}, ${where})`;
  return more.length > 0 ? `${what} and ${more.length} more` : what;
};

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
  subject: string;
  inSnapshot?: boolean;
}) => {
  const problem = await cloneHookProblem(configFile).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT")
      throw new AppError("NOT_FOUND", { message: `${subject}: ${configFile} does not exist` });
    throw error;
  });
  if (!problem) return;
  const hooks = describeHooks(problem);
  if (problem.path === null)
    throw new AppError("PRECONDITION_FAILED", {
      message: `${subject}: its config runs ${hooks} as root on the host, following links, and ${problem.why}.`,
      hint: "Use lxc-copy or lxc-snapshot on the host for this container.",
    });
  const layer = problem.layer.replace(/\/+$/, "");
  const what = problem.why === "is a symbolic link" ? "the link" : "it";
  const kind = DIRECTORIES.has(problem.path) ? "a directory" : "a regular file";
  const fix = inSnapshot
    ? `A snapshot's files are not changed from Atelier: an admin can remove ${what} on the host (${layer}/${problem.path}), then restore the snapshot again.`
    : `Remove ${what} inside the container (rm /${problem.path}, then make it ${kind} of the container's own, or leave it out), then try again.`;
  throw new AppError("PRECONDITION_FAILED", {
    message: `${subject}: its config runs ${hooks} as root on the host, following links, and ${problem.path} in its root filesystem (${layer}) ${problem.why}. ${fix}`,
    hint: inSnapshot
      ? `Ask an admin to remove ${layer}/${problem.path} from the snapshot on the host.`
      : `Inside the container, remove /${problem.path} (${problem.why.replace(/^is /, "")}) and make it ${kind}, then try again.`,
  });
};
