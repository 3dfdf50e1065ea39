import { readFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { AppError } from "../errors";
import { writeAtomically } from "../lxc-config/write";
import type { TOperationContext } from "./operation";

/**
 * The long commands of jobs (lxc-create -t debian, lxc-copy, lxc-snapshot, tar), run by the helper's operations:
 * each in a process group of its own, its output streamed line by line to the caller (items `{ line, stream }`,
 * after one `{ pgid }` item), killed whole (the group, SIGTERM then SIGKILL) when the call is cancelled. The
 * operation decides the program and its arguments; the caller only gives the operation's typed input.
 */
export type TCommandResult = { exitCode: number; stdout: string; stderr: string };

export const killGroup = async (pgid: number) => {
  const signal = (name: NodeJS.Signals | 0) => {
    try {
      process.kill(-pgid, name);
      return true;
    } catch {
      return false;
    }
  };
  if (!signal("SIGTERM")) return;
  for (let waited = 0; waited < 30; waited += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (!signal(0)) return;
  }
  signal("SIGKILL");
  for (let waited = 0; waited < 30 && signal(0); waited += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/**
 * The process groups running now, kept in the helper's state directory: a helper killed outright (SIGKILL, the
 * OOM killer) leaves its commands' groups running, and the next helper kills them when it starts. A group is known
 * by its leader's pid and start time, so a pid reused since is never killed.
 */
const groups = new Map<number, string>();
let registry: string | null = null;
let saving = Promise.resolve();
const saveRegistry = () => {
  const file = registry;
  if (!file) return;
  const snapshot = JSON.stringify([...groups].map(([pgid, start]) => ({ pgid, start })));
  saving = saving.then(() => writeAtomically(file, snapshot)).catch(() => undefined);
};
const startTimeOf = async (pid: number) => {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  // Fields after "pid (comm) ": state is the 3rd field of the line, start time the 22nd.
  return stat.slice(stat.lastIndexOf(") ") + 2).split(" ")[19] ?? null;
};

/** At the helper's start: the groups a previous helper left behind are killed; from now on they are recorded. */
export const recoverProcessGroups = async (stateDir: string) => {
  registry = path.join(stateDir, "process-groups.json");
  const left = JSON.parse((await readFile(registry, "utf8").catch(() => "")) || "[]") as {
    pgid: number;
    start: string;
  }[];
  let killed = 0;
  for (const { pgid, start } of left)
    if (Number.isInteger(pgid) && pgid > 1 && (await startTimeOf(pgid)) === start) {
      await killGroup(pgid);
      killed += 1;
    }
  saveRegistry();
  await saving;
  return killed;
};

/** Until no command of the helper's runs any more (at most `timeoutMs`): whether none does. */
export const settleGroups = async (timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (groups.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  return groups.size === 0;
};

export const runCommand = async (
  file: string,
  args: string[],
  { signal, emit }: TOperationContext,
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<TCommandResult> => {
  if (signal.aborted) throw new AppError("CONFLICT", { message: "The job was cancelled" });
  const child = execa(file, args, {
    reject: false,
    detached: true,
    stdin: "ignore",
    ...(options.env ? { env: options.env } : {}),
    timeout: options.timeoutMs ?? 30 * 60 * 1000,
  });
  const pgid = child.pid ?? null;
  // Nothing is awaited before the output listeners below are attached: output read meanwhile would be lost.
  const recorded = pgid
    ? startTimeOf(pgid).then((start) => {
        if (start && child.exitCode === null) {
          groups.set(pgid, start);
          saveRegistry();
        }
      })
    : Promise.resolve();
  const killing: { done: Promise<void> | null } = { done: null };
  const onAbort = () => {
    if (pgid) killing.done = killGroup(pgid);
  };
  signal.addEventListener("abort", onAbort, { once: true });
  let stdout = "";
  let stderr = "";
  const lines: { line: string; stream: "stdout" | "stderr" }[] = [];
  // The `{ pgid }` item first, then the lines in order.
  let sending = pgid ? emit({ pgid }) : Promise.resolve();
  const split = (stream: "stdout" | "stderr") => {
    let rest = "";
    return (chunk: Buffer) => {
      const text = rest + chunk.toString();
      const parts = text.split("\n");
      rest = parts.pop() ?? "";
      for (const line of parts) {
        if (stream === "stdout") stdout += `${line}\n`;
        else stderr += `${line}\n`;
        lines.push({ line, stream });
      }
      // Items go out in order; while the caller lags, the command's output waits in its pipe.
      child[stream]?.pause();
      sending = sending
        .then(async () => {
          for (const item of lines.splice(0)) await emit(item);
        })
        .finally(() => child[stream]?.resume());
    };
  };
  child.stdout?.on("data", split("stdout"));
  child.stderr?.on("data", split("stderr"));
  const result = await child;
  await recorded;
  if (pgid && groups.delete(pgid)) saveRegistry();
  await sending;
  signal.removeEventListener("abort", onAbort);
  if (killing.done) await killing.done;
  if (signal.aborted) throw new AppError("CONFLICT", { message: "The job was cancelled" });
  return { exitCode: result.exitCode ?? 1, stdout, stderr };
};
