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

/** The process group a job's command runs in, as the job's row records it (null before its command started). */
export const jobProcessGroup = async (databaseUrl: string, jobId: string) => {
  const db = createDb(databaseUrl);
  try {
    return (await db.job.findUnique({ where: { id: jobId } }))?.pgid ?? null;
  } finally {
    await db.$disconnect();
  }
};
