import { realpath } from "node:fs/promises";
import { worded, wordsOf, type TWorded } from "../i18n/validation-words";
import { LxcConfig } from "../schemas/lxc-config/model";
import {
  adminReason,
  isInBindRoots,
  parseMountEntry,
  privilegedChanges,
  type TPrivilegeContext,
  type TPrivilegedChange,
} from "../schemas/lxc-config/privileges";

/** A change's reason: its English and its sentence's words. */
const reasonOf = (reason: TWorded) => ({ reason: reason.message, reasonWords: wordsOf(reason) });

/**
 * Bind sources that pass the check by their text but resolve elsewhere on the host (a symlink inside a bind root,
 * perhaps planted by a container that has the root mounted read-write): admin-only too.
 */
const escapedBindSources = async (raw: string, ctx: TPrivilegeContext): Promise<TPrivilegedChange[]> => {
  const roots = await Promise.all(ctx.bindRoots.map((root) => realpath(root).catch(() => null)));
  const realRoots = roots.filter((root): root is string => root !== null);
  const problems: TPrivilegedChange[] = [];
  for (const entry of LxcConfig.parse(raw).entries()) {
    if (entry.key !== "lxc.mount.entry" || adminReason(entry.key, entry.value, ctx) !== null) continue;
    const { source, options } = parseMountEntry(entry.value);
    if (!options.includes("bind") && !options.includes("rbind")) continue;
    const real = await realpath(source).catch(() => null);
    if (real === null || !isInBindRoots(real, realRoots))
      problems.push({
        line: entry.line,
        key: entry.key,
        value: entry.value.trim(),
        kind: "added",
        ...reasonOf(
          real === null
            ? worded("validation.locks.bindSourceMissing", { source })
            : worded("validation.locks.bindSourceOutside", { source, real }),
        ),
      });
  }
  return problems;
};

/**
 * What only an admin may change between `before` and `after`, by line: the web tier refuses it for a non-admin (403
 * naming each line), and the helper's config.write takes it only with an admin's ticket. Both call this one function.
 */
export const adminOnlyChanges = async (
  before: string,
  after: string,
  ctx: TPrivilegeContext,
): Promise<TPrivilegedChange[]> => {
  // Bind sources are resolved on the host only where the line is new: one an admin wrote stays their choice.
  const beforeLines = new Set(
    LxcConfig.parse(before)
      .entries()
      .map((e) => `${e.key}=${e.value.trim()}`),
  );
  const escaped = (await escapedBindSources(after, ctx)).filter(
    (change) => !beforeLines.has(`${change.key}=${change.value}`),
  );
  return [...privilegedChanges(before, after, ctx), ...escaped].sort((a, b) => a.line - b.line);
};

/**
 * The first refused change as an error sentence's values (`said`), with the sentence's id: what
 * describePrivilegedChanges says in English, for the catalogue to word in each language.
 */
export const privilegedChangeWords = (changes: TPrivilegedChange[]) => {
  const [first] = changes;
  return {
    kind: first?.kind ?? "added",
    params: {
      line: first?.line ?? 0,
      key: first?.key ?? "",
      value: first?.value.slice(0, 120) ?? "",
      reason: first?.reason ?? "",
      more: Math.max(changes.length - 1, 0),
    },
  };
};
