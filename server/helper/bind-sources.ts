import { readFile, realpath } from "node:fs/promises";
import path from "node:path";
import { AppError, said } from "../errors";
import { LxcConfig } from "../schemas/lxc-config/model";
import { isInBindRoots, isInside, normalisePath, parseMountEntry } from "../schemas/lxc-config/privileges";

/**
 * Bind sources judged again right before `lxc-start` (and the start of a restart). The save-time check
 * (server/lxc-config/admin-only.ts) resolved each new bind source once; a directory inside a bind root can be
 * replaced by a link afterwards (by a container that has the root mounted read-write, by anyone who may write
 * there), and liblxc follows it when it mounts. So before each start the helper reads the container's config with
 * the model, splits each bind mount line as getmntent does (parseMountEntry), and resolves with realpath every
 * source whose text lies inside a bind root: the start is refused when one resolves outside the bind roots, or does
 * not exist (unless the line says `optional`). A source outside the bind roots by its text is an admin's choice
 * (an operator cannot save one) and is left alone; a relative source is inside the rootfs for liblxc.
 *
 * What stays open: a swap between this check and liblxc's mount (docs/architecture.md, "Bind sources").
 */
export type TBindSourceProblem = { line: number; value: string; source: string; resolved: string | null };

const isBind = (options: readonly string[]) => options.includes("bind") || options.includes("rbind");

/** The problems of a config's text (pure but for realpath): empty when every bind source is where it should be. */
export const bindSourceProblems = async (
  text: string,
  bindRoots: readonly string[],
): Promise<TBindSourceProblem[]> => {
  if (bindRoots.length === 0) return [];
  const resolvedRoots = await Promise.all(bindRoots.map((root) => realpath(root).catch(() => null)));
  const realRoots = resolvedRoots.filter((root): root is string => root !== null);
  // A source is judged when its text names a place inside a root as configured or as resolved.
  const textRoots = [...bindRoots, ...realRoots]
    .map((root) => normalisePath(root))
    .filter((root): root is string => root !== null);
  const problems: TBindSourceProblem[] = [];
  for (const entry of LxcConfig.parse(text).entries()) {
    if (entry.key !== "lxc.mount.entry") continue;
    const { source, options } = parseMountEntry(entry.value);
    if (!isBind(options) || !source.startsWith("/")) continue;
    const normal = normalisePath(source);
    if (normal === null || !textRoots.some((root) => isInside(normal, root))) continue;
    const resolved = await realpath(source).catch(() => null);
    if (resolved === null && options.includes("optional")) continue;
    if (resolved === null || !isInBindRoots(resolved, realRoots))
      problems.push({ line: entry.line, value: entry.value, source, resolved });
  }
  return problems;
};

/** Throws PRECONDITION_FAILED naming the first line whose bind source moved out of the bind roots (or went away). */
export const checkBindSourcesBeforeStart = async ({
  lxcPath,
  name,
  bindRoots,
}: {
  lxcPath: string;
  name: string;
  bindRoots: readonly string[];
}) => {
  if (bindRoots.length === 0) return;
  // The file liblxc is about to read. A missing one is the driver's to report (not found).
  const text = await readFile(path.join(lxcPath, name, "config"), "utf8").catch(() => null);
  if (text === null) return;
  const [first, ...more] = await bindSourceProblems(text, bindRoots);
  if (!first) return;
  const params = {
    name,
    line: first.line,
    value: first.value.slice(0, 160),
    source: first.source,
    more: more.length,
  };
  throw new AppError(
    "PRECONDITION_FAILED",
    first.resolved === null
      ? said("bindSourceMissing", params)
      : said("bindSourceMoved", { ...params, resolved: first.resolved, roots: bindRoots.join(", ") }),
  );
};
