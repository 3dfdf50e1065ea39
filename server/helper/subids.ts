import { constants } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { RANGE_SIZE, type TIdPool } from "../schemas/idmap";

/**
 * Root's subordinate ids (/etc/subuid and /etc/subgid): with newuidmap and newgidmap installed (Debian's lxc pulls
 * uidmap), liblxc maps an unprivileged container's ids through them, and they refuse any range these files do not
 * give root ("newuidmap: uid range [0-65536) -> [1000000-1065536) not allowed", said only in lxc-start's log). A
 * fresh Debian 12 ships both files empty. The helper gives root Atelier's whole pool in one line of each when it
 * starts, unless another user's range overlaps the pool (then it writes nothing and says which line).
 */

/** One line of /etc/subuid or /etc/subgid: `owner:first:count` (owner a name or a uid). */
export type TSubidEntry = { owner: string; first: number; count: number; line: number };

/**
 * One line as we read it: only `owner:first:count` with a user name or uid and plain decimals, nothing around them.
 * shadow reads more than that (leading spaces, `+`, hex and octal numbers, extra fields: strtoul with base 0), so a
 * line of any other shape is one we cannot judge the way newuidmap does: `unreadable`.
 */
const STRICT_LINE = /^([a-z_][a-z0-9_-]*\$?|\d{1,10}):(0|[1-9]\d{0,9}):([1-9]\d{0,9})$/;

type TSubidLine = TSubidEntry | { unreadable: string; line: number };

export const parseSubids = (text: string): TSubidLine[] =>
  text.split("\n").flatMap((raw, index): TSubidLine[] => {
    if (raw === "") return [];
    const match = STRICT_LINE.exec(raw);
    return match
      ? [{ owner: match[1] ?? "", first: Number(match[2]), count: Number(match[3]), line: index + 1 }]
      : [{ unreadable: raw.slice(0, 200), line: index + 1 }];
  });

/** The line that gives root the whole pool. */
export const poolLine = (pool: TIdPool) => `root:${pool.first}:${pool.slots * RANGE_SIZE}`;

export type TSubidVerdict =
  | { state: "granted" }
  | { state: "missing" }
  | { state: "conflict"; entry: TSubidEntry }
  | { state: "unreadable"; text: string; line: number };

/**
 * Whether a file's text gives root (by name or as uid 0) every id of the pool, and whether another owner's range
 * overlaps it (two owners on one host id would share files and processes).
 */
export const judgeSubids = (text: string, pool: TIdPool): TSubidVerdict => {
  const end = pool.first + pool.slots * RANGE_SIZE;
  const parsed = parseSubids(text);
  // A line newuidmap may read otherwise than we do could give someone else the pool's ids: judged by hand.
  const odd = parsed.find((entry) => "unreadable" in entry);
  if (odd && "unreadable" in odd) return { state: "unreadable", text: odd.unreadable, line: odd.line };
  const entries = parsed.filter((entry): entry is TSubidEntry => !("unreadable" in entry));
  const isRoot = (entry: TSubidEntry) => entry.owner === "root" || entry.owner === "0";
  const conflict = entries.find(
    (entry) => !isRoot(entry) && entry.first < end && pool.first < entry.first + entry.count,
  );
  if (conflict) return { state: "conflict", entry: conflict };
  // Root's ranges may come in pieces: every id of the pool must be in one of them.
  const ranges = entries
    .filter(isRoot)
    .map((entry) => [entry.first, entry.first + entry.count] as const)
    .sort((a, b) => a[0] - b[0]);
  let covered = pool.first;
  for (const [first, last] of ranges) {
    if (first > covered) break;
    covered = Math.max(covered, last);
    if (covered >= end) return { state: "granted" };
  }
  return { state: "missing" };
};

export type TSubidFile = {
  file: string;
  line: string;
  state: "granted" | "added" | "missing" | "conflict";
  /** The other owner's line that overlaps the pool (conflict). */
  conflict?: string;
  /** Why the file could not be read or written. */
  problem?: string;
};

/**
 * Checks, and unless `dryRun` appends, root's line in hostRoot's etc/subuid and etc/subgid. Appended in place (never
 * replaced by a rename: the file may be a bind mount, and its other lines stay byte for byte), created 0644 when
 * missing, never through a link.
 */
export const ensureRootSubids = async (
  hostRoot: string,
  pool: TIdPool,
  { dryRun = false }: { dryRun?: boolean } = {},
): Promise<TSubidFile[]> => {
  const line = poolLine(pool);
  const one = async (name: "subuid" | "subgid"): Promise<TSubidFile> => {
    const file = path.join(hostRoot, "etc", name);
    // Never through a link; O_NONBLOCK so that a FIFO in its place cannot hang the helper (refused below).
    const base = constants.O_NOFOLLOW | constants.O_NONBLOCK;
    const flags = constants.O_RDWR | base | (dryRun ? 0 : constants.O_CREAT);
    const handle = await open(file, dryRun ? constants.O_RDONLY | base : flags, 0o644).catch(
      (error: NodeJS.ErrnoException) => (error.code === "ENOENT" && dryRun ? null : error),
    );
    if (handle === null) return { file, line, state: "missing" };
    if (handle instanceof Error) return { file, line, state: "missing", problem: handle.message };
    try {
      const info = await handle.stat();
      if (!info.isFile() || info.size > 1024 * 1024)
        return { file, line, state: "missing", problem: "not a regular file of a sensible size" };
      const text = await handle.readFile("utf8");
      const verdict = judgeSubids(text, pool);
      if (verdict.state === "conflict")
        return {
          file,
          line,
          state: "conflict",
          conflict: `${verdict.entry.owner}:${verdict.entry.first}:${verdict.entry.count}`,
        };
      if (verdict.state === "unreadable")
        return {
          file,
          line,
          state: "conflict",
          conflict: verdict.text,
          problem: `line ${verdict.line} is not of the plain form owner:first:count (newuidmap may read it otherwise than Atelier): fix it by hand`,
        };
      if (verdict.state === "granted") return { file, line, state: "granted" };
      if (dryRun) return { file, line, state: "missing" };
      const addition = `${text === "" || text.endsWith("\n") ? "" : "\n"}${line}\n`;
      await handle.write(addition, info.size);
      await handle.sync();
      return { file, line, state: "added" };
    } finally {
      await handle.close();
    }
  };
  return [await one("subuid"), await one("subgid")];
};
