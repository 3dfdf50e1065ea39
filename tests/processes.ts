import { readdir, readFile } from "node:fs/promises";
import { createDb } from "@/server/db";

/**
 * Processes by process group, read from /proc: a job's command runs in a group of its own, and "nothing is left"
 * means no process of that group, whatever its name.
 */
export const processesInGroup = async (pgid: number) => {
  const found: string[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => null);
    if (!stat) continue;
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so read after its last ")".
    const close = stat.lastIndexOf(")");
    const [, , pgrp] = stat.slice(close + 2).split(" ");
    if (Number(pgrp) === pgid) found.push(`${entry} ${stat.slice(stat.indexOf("(") + 1, close)}`);
  }
  return found;
};

/** Every process below `pid` (children, their children…), as "pid command line". */
export const descendantsOf = async (pid: number) => {
  const parents = new Map<number, number>();
  const commands = new Map<number, string>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => null);
    if (!stat) continue;
    // pid (comm) state ppid ...
    const [, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    parents.set(Number(entry), Number(ppid));
    commands.set(
      Number(entry),
      (await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "")).replaceAll("\0", " ").trim(),
    );
  }
  const below = (candidate: number): boolean => {
    const parent = parents.get(candidate);
    return parent !== undefined && parent !== 0 && (parent === pid || below(parent));
  };
  return [...parents.keys()].filter(below).map((found) => `${found} ${commands.get(found) ?? ""}`);
};

/** The process group a job's command runs in, as the job's row records it (null before its command started). */
export const jobProcessGroup = async (databaseUrl: string, jobId: string) => {
  const db = createDb(databaseUrl);
  try {
    return (await db.job.findUnique({ where: { id: jobId } }))?.pgid ?? null;
  } finally {
    await db.$disconnect();
  }
};
