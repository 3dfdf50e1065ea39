import { realpath } from "node:fs/promises";
import path from "node:path";
import { AppError, said } from "../errors";
import { lastValueOf, readConfigWithIncludes, type TExpandedConfig } from "./config-includes";
import { parseMountEntry } from "../schemas/lxc-config/privileges";
import { layersOf, storageOf } from "./hostname";
import { openRootfs, type TRootfs } from ".";

/**
 * A mount entry's `create=dir` / `create=file`, checked before each start. liblxc (conf.c,
 * mount_entry_create_dir_file) makes the target with `mkdir_p` (each prefix of the path) or `mknod` on the path
 * `<rootfs mount>/<target>`, in the container's mount namespace but on the host's `/` (before pivot_root), BEFORE
 * its own mount, which refuses a target that does not resolve beneath the rootfs: every link on the way is followed
 * as the host sees it. Measured: `lxc.mount.entry = tmpfs evil/made-dir tmpfs defaults,create=dir 0 0` with the
 * guest's `evil` a link to a host directory made `made-dir` there, then the start failed.
 *
 * So for every `lxc.mount.entry` of the config (its includes expanded, as liblxc reads them; tokenised as getmntent
 * does: parseMountEntry) that has `create=dir` or `create=file` (glibc's hasmntopt: the option, or the option
 * followed by "=") and a relative target, each component of the target is looked at where liblxc's walk will find
 * it at that point of the start, with lstat and never following a link:
 *
 * - in the root filesystem (the rootfs module; an overlay's every layer on its own, a link a higher layer hides
 *   refused too);
 * - under an earlier entry's mount: a bind mount's source tree (resolved on the host as liblxc resolves it, then
 *   walked inside it), a new tmpfs, devpts or mqueue (empty: nothing to follow), or any other filesystem (proc,
 *   sysfs, a bind whose source is relative: its links are the kernel's or unknown), where a create= target is
 *   refused outright;
 * - under `dev` with `lxc.autodev` (on unless set to 0): a new tmpfs; under `proc` and `sys` when `lxc.mount.auto`
 *   mounts them (before the entries): the kernel's, refused (`proc/self/root` is the host's `/` at that point).
 *
 * A symbolic link at any existing component, a `..` in the target, or a root filesystem Atelier cannot look into
 * refuses the start. An absolute target (admin-only: liblxc maps one that names the rootfs path into it, and
 * ignores others) and `lxc.mount.fstab` files (admin-only) are not walked.
 */
export type TMountCreateProblem = { line: number; file: string; value: string; why: string };

type TContent =
  | { kind: "rootfs"; layers: TRootfs[] | null; what: string }
  | { kind: "tree"; root: TRootfs; what: string }
  | { kind: "fresh" }
  | { kind: "refused"; what: string };
type TMount = { parts: string[]; content: TContent };

/** glibc's hasmntopt on the option list. */
const hasOption = (options: readonly string[], name: string) =>
  options.some((option) => option === name || option.startsWith(`${name}=`));
/** liblxc's mount options match by prefix (parse_mntopt): `bindx` is `bind`. */
const isBind = (options: readonly string[]) =>
  options.some((option) => option.startsWith("bind") || option.startsWith("rbind"));
const FRESH_FILESYSTEMS = new Set(["tmpfs", "devpts", "mqueue"]);

const partsOf = (target: string) => target.split("/").filter((part) => part !== "" && part !== ".");
const isPrefix = (prefix: readonly string[], parts: readonly string[]) =>
  prefix.length <= parts.length && prefix.every((part, index) => parts[index] === part);

/** The entries liblxc mounts, in order (`lxc.mount.entry =` clears those before). */
const mountEntriesOf = ({ entries }: TExpandedConfig) => {
  let mounts: TExpandedConfig["entries"] = [];
  for (const entry of entries)
    if (entry.key === "lxc.mount.entry") mounts = entry.value === "" ? [] : [...mounts, entry];
  return mounts;
};

/** Which of proc and sys `lxc.mount.auto` mounts (each line sets its kinds; an empty one clears them all). */
const autoMountsOf = ({ entries }: TExpandedConfig) => {
  const auto = { proc: false, sys: false };
  for (const entry of entries) {
    if (entry.key !== "lxc.mount.auto") continue;
    if (entry.value === "") auto.proc = auto.sys = false;
    for (const token of entry.value.split(/[ \t]+/)) {
      if (token === "proc" || token.startsWith("proc:")) auto.proc = true;
      if (token === "sys" || token.startsWith("sys:")) auto.sys = true;
    }
  }
  return auto;
};

/** What an entry mounts, for the entries after it. */
const contentOf = async (
  source: string,
  fstype: string,
  options: readonly string[],
): Promise<TContent | null> => {
  if (isBind(options)) {
    if (!source.startsWith("/") || hasOption(options, "relative"))
      return { kind: "refused", what: `the bind mount of ${source}, a relative source` };
    const resolved = await realpath(source).catch(() => null);
    // A missing source: liblxc skips an optional line and fails the start otherwise; either way nothing is there.
    return resolved === null
      ? null
      : { kind: "tree", root: openRootfs(resolved), what: `the bind source ${resolved}` };
  }
  if (FRESH_FILESYSTEMS.has(fstype)) return { kind: "fresh" };
  return { kind: "refused", what: `the ${fstype || "unnamed"} filesystem mounted there by an earlier line` };
};

/** The first link (or refusal) on the way to `parts`, as liblxc's mkdir_p or mknod would walk it. */
const walkProblem = async (parts: readonly string[], base: TContent, mounts: readonly TMount[]) => {
  for (let length = 1; length <= parts.length; length += 1) {
    const prefix = parts.slice(0, length);
    const shown = prefix.join("/");
    const under = mounts
      .filter((mount) => mount.parts.length < length && isPrefix(mount.parts, prefix))
      .sort((a, b) => b.parts.length - a.parts.length)[0];
    const content = under?.content ?? base;
    const relative = prefix.slice(under?.parts.length ?? 0).join("/");
    if (content.kind === "fresh") continue;
    if (content.kind === "refused")
      return `${shown} lies in ${content.what}, whose links are not the container's`;
    if (content.kind === "rootfs" && content.layers === null) return content.what;
    const layers = content.kind === "rootfs" ? (content.layers ?? []) : [content.root];
    for (const layer of layers) {
      const stats = await layer.lstat(relative).catch((error: unknown) => {
        // A file on the way: mkdir_p fails there, nothing is made.
        if (error instanceof AppError) return null;
        throw error;
      });
      if (stats?.isSymbolicLink())
        return `${shown} is a symbolic link (in ${content.kind === "rootfs" ? `the root filesystem, ${layer.root}` : content.what})`;
    }
  }
  return null;
};

/** The create= lines whose targets liblxc would make through a link, in the order liblxc mounts them. */
export const mountCreateProblems = async (config: TExpandedConfig): Promise<TMountCreateProblem[]> => {
  const entries = mountEntriesOf(config).map((entry) => ({ entry, ...parseMountEntry(entry.value) }));
  const creating = entries.filter(
    ({ options }) => hasOption(options, "create=dir") || hasOption(options, "create=file"),
  );
  if (creating.length === 0) return [];
  const storage = await storageOf(lastValueOf(config, "lxc.rootfs.path"));
  const base: TContent =
    storage.kind === "other"
      ? {
          kind: "rootfs",
          layers: null,
          what: `the root filesystem (${storage.value || "none"}) is not a directory or an overlay Atelier can look into`,
        }
      : { kind: "rootfs", layers: layersOf(storage), what: "the root filesystem" };
  const mounts: TMount[] = [];
  const mountAt = (parts: string[], content: TContent) => {
    // A mount hides the earlier ones at or below its target.
    for (let index = mounts.length - 1; index >= 0; index -= 1)
      if (isPrefix(parts, mounts[index]?.parts ?? [])) mounts.splice(index, 1);
    mounts.push({ parts, content });
  };
  // liblxc's default is 1; an empty value sets 0.
  const autodev = lastValueOf(config, "lxc.autodev");
  if (autodev === undefined || (autodev !== "" && Number(autodev) !== 0)) mountAt(["dev"], { kind: "fresh" });
  const auto = autoMountsOf(config);
  if (auto.proc) mountAt(["proc"], { kind: "refused", what: "proc, which lxc.mount.auto mounts before it" });
  if (auto.sys) mountAt(["sys"], { kind: "refused", what: "sysfs, which lxc.mount.auto mounts before it" });

  const problems: TMountCreateProblem[] = [];
  for (const { entry, source, target, fstype, options } of entries) {
    const parts = partsOf(target);
    if (hasOption(options, "create=dir") || hasOption(options, "create=file")) {
      const problem = (why: string) =>
        problems.push({ line: entry.line, file: entry.file, value: entry.value, why });
      if (target.startsWith("/") || parts.length === 0) {
        // Not walked: an absolute target is an admin's line (see above).
      } else if (parts.includes("..")) problem(`${target} climbs with ".." from the root filesystem's mount`);
      else {
        const why = await walkProblem(parts, base, mounts);
        if (why) problem(why);
      }
    }
    if (target.startsWith("/") || parts.length === 0 || parts.includes("..")) continue;
    const content = await contentOf(source, fstype, options);
    if (content) mountAt(parts, content);
  }
  return problems;
};

/**
 * Throws PRECONDITION_FAILED naming the first create= line whose target goes through a link, and what to do.
 * Called by the helper right before each `lxc-start` (lxc.start, lxc.restart), next to the bind sources' check.
 */
export const checkMountCreateBeforeStart = async ({ lxcPath, name }: { lxcPath: string; name: string }) => {
  const file = path.join(lxcPath, name, "config");
  const config = await readConfigWithIncludes(file).catch((error: NodeJS.ErrnoException) => {
    // A missing config is the driver's to report (not found).
    if (error.code === "ENOENT") return null;
    throw error;
  });
  if (!config) return;
  const [first, ...more] = await mountCreateProblems(config);
  if (!first) return;
  // `why` stays in English words: it describes the mounts on the way (mountCreateProblems).
  const params = {
    name,
    line: first.line,
    value: first.value.slice(0, 160),
    why: first.why,
    more: more.length,
  };
  throw new AppError(
    "PRECONDITION_FAILED",
    first.file === file
      ? said("mountCreateThroughLink", params)
      : said("mountCreateThroughLinkIncluded", { ...params, file: first.file }),
  );
};
