import { readFile } from "node:fs/promises";
import path from "node:path";
import { writeAtomically } from "../write-atomically";

/**
 * The process groups the runner's commands run in (each command leads a group of its own), while they run.
 *
 * - Killing one kills the whole group (SIGTERM, then SIGKILL after a grace): what a command forked goes too.
 * - In the helper, a group that has run for a second is also kept in the helper's state directory: a helper killed
 *   outright (SIGKILL, the OOM killer) leaves its commands' groups running, and the next helper kills them when it
 *   starts. A group is known by its leader's pid and start time, so a pid reused since is never killed. Commands that
 *   end within the second (nearly all of them) never touch the disk.
 * - A job's command (a debootstrap, a copy, a tar) is counted for `settleGroups`, and kept from its start: one left
 *   unrecorded by a helper killed in its first second would go on writing into a directory the web tier removes once
 *   the next helper's `jobs.settle` says no job runs.
 */
const RECORD_AFTER_MS = 1000;
const POLL_MS = 100;

type TGroup = { start: string | null; isJob: boolean };
const groups = new Map<number, TGroup>();
let registry: string | null = null;
let saving = Promise.resolve();

const saveRegistry = () => {
  const file = registry;
  if (!file) return;
  const snapshot = JSON.stringify(
    [...groups].flatMap(([pgid, { start }]) => (start === null ? [] : [{ pgid, start }])),
  );
  saving = saving.then(() => writeAtomically(file, snapshot)).catch(() => undefined);
};

/** The start time of a process (field 22 of /proc/PID/stat, clock ticks since boot), or null when it is gone. */
export const startTimeOf = async (pid: number) => {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  // Fields after "pid (comm) ": state is the 3rd field of the line, start time the 22nd.
  return stat ? (stat.slice(stat.lastIndexOf(") ") + 2).split(" ")[19] ?? null) : null;
};

const signalGroup = (pgid: number, signal: NodeJS.Signals | 0) => {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGTERM to the whole group; SIGKILL to what is left after `graceMs`; resolves once none is left (or 3 s later). */
export const killGroup = async (pgid: number, graceMs = 3000) => {
  if (!(pgid > 1) || !signalGroup(pgid, "SIGTERM")) return;
  for (let waited = 0; waited < graceMs; waited += POLL_MS) {
    await sleep(POLL_MS);
    if (!signalGroup(pgid, 0)) return;
  }
  signalGroup(pgid, "SIGKILL");
  for (let waited = 0; waited < 3000 && signalGroup(pgid, 0); waited += POLL_MS) await sleep(POLL_MS);
};

/**
 * A group the runner has just started (its leader's pid). The returned function forgets it, once its leader has
 * exited and its output is read.
 */
export const trackGroup = (pgid: number, { isJob }: { isJob: boolean }) => {
  const entry: TGroup = { start: null, isJob };
  groups.set(pgid, entry);
  let isLive = true;
  const record = () =>
    void startTimeOf(pgid).then((start) => {
      if (!isLive || start === null) return;
      entry.start = start;
      saveRegistry();
    });
  const timer = registry && !isJob ? setTimeout(record, RECORD_AFTER_MS) : null;
  timer?.unref();
  if (registry && isJob) record();
  return () => {
    isLive = false;
    if (timer) clearTimeout(timer);
    groups.delete(pgid);
    if (entry.start !== null) saveRegistry();
  };
};

/** At the helper's start: the groups a previous helper left behind are killed; from now on they are recorded. */
export const recoverProcessGroups = async (stateDir: string) => {
  registry = path.join(stateDir, "process-groups.json");
  let left: unknown;
  try {
    left = JSON.parse((await readFile(registry, "utf8").catch(() => "")) || "[]");
  } catch {
    left = [];
  }
  let killed = 0;
  for (const item of Array.isArray(left) ? (left as unknown[]) : []) {
    const { pgid, start } = (item ?? {}) as { pgid?: unknown; start?: unknown };
    if (typeof pgid !== "number" || !Number.isInteger(pgid) || pgid <= 1 || typeof start !== "string")
      continue;
    if ((await startTimeOf(pgid)) !== start) continue;
    await killGroup(pgid);
    killed += 1;
  }
  saveRegistry();
  await saving;
  return killed;
};

/** Until no job's command runs any more (at most `timeoutMs`): whether none does. */
export const settleGroups = async (timeoutMs: number) => {
  const jobs = () => [...groups.values()].filter((entry) => entry.isJob).length;
  const deadline = Date.now() + timeoutMs;
  while (jobs() > 0 && Date.now() < deadline) await sleep(POLL_MS);
  return jobs() === 0;
};

/** The groups running now (for tests and diagnostics). */
export const liveGroups = () => [...groups.keys()];
