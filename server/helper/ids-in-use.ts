import path from "node:path";
import { LxcConfig } from "../schemas/lxc-config/model";
import type { TPrivilegedChange } from "../schemas/lxc-config/privileges";
import {
  hostRangesOf,
  idMapsOf,
  insidePool,
  overlaps,
  type THostRange,
  type TIdPool,
} from "../schemas/idmap";
import { worded, wordsOf } from "../i18n/validation-words";
import { otherConfigs } from "./lxcpath-configs";

/**
 * The host ids other containers of the lxcpath map (their configs' lxc.idmap lines), by owner: an operator may give
 * a container only ids of Atelier's pool (ATELIER_IDMAP_POOL, which root's /etc/subuid grants) that no other
 * container maps. Two containers on one range share their files' owners and can signal each other's processes:
 * sharing is an admin's choice. Read by the helper (a container's directory is root's).
 */
export const idsInUse = async (lxcPath: string, except: string | readonly string[]) => {
  const skipped = typeof except === "string" ? [except] : except;
  const used: { owner: string; range: THostRange }[] = [];
  const note = (owner: string, text: string) => {
    for (const range of hostRangesOf(idMapsOf(LxcConfig.parse(text).entries()))) used.push({ owner, range });
  };
  for (const { name, text } of await otherConfigs(lxcPath, skipped[0] ?? "")) {
    if (skipped.includes(name)) continue;
    note(name, text);
    // A snapshot keeps its range while it exists: restored, it maps it again.
    for (const snapshot of await otherConfigs(path.join(lxcPath, name, "snaps"), ""))
      note(`${name} (snapshot ${snapshot.name})`, snapshot.text);
  }
  return used;
};

const rangeText = (range: THostRange) => `${range.first}-${range.first + range.count - 1}`;

/**
 * The new lxc.idmap lines of `after` (not in `before`) that map ids outside the pool or onto another container's,
 * reading the lxcpath only when there are new ones.
 */
export const idsTaken = async (
  lxcPath: string,
  name: string,
  before: string,
  after: string,
  pool: TIdPool,
  /** Other containers whose ranges this one may share (a snapshot restored as new shares its source's, for now). */
  alsoExcept: readonly string[] = [],
): Promise<TPrivilegedChange[]> => {
  const old = new Set(
    LxcConfig.parse(before)
      .entries()
      .filter((entry) => entry.key === "lxc.idmap")
      .map((entry) => entry.value.trim()),
  );
  const added = LxcConfig.parse(after)
    .entries()
    .filter(
      (entry) => entry.key === "lxc.idmap" && entry.value.trim() !== "" && !old.has(entry.value.trim()),
    );
  if (added.length === 0) return [];
  const used = await idsInUse(lxcPath, [path.basename(name), ...alsoExcept]);
  return added.flatMap((entry) => {
    const [range] = hostRangesOf(idMapsOf([entry]));
    if (!range) return [];
    const reason = !insidePool(pool, range)
      ? worded("validation.locks.idsOutsidePool", {
          ids: rangeText(range),
          pool: rangeText({ first: pool.first, count: pool.slots * 65536 }),
        })
      : (() => {
          const other = used.find((use) => overlaps(use.range, range));
          return other
            ? worded("validation.locks.idsTaken", { ids: rangeText(range), name: other.owner })
            : null;
        })();
    return reason
      ? [
          {
            line: entry.line,
            key: entry.key,
            value: entry.value,
            kind: "added" as const,
            reason: reason.message,
            reasonWords: wordsOf(reason),
          },
        ]
      : [];
  });
};
