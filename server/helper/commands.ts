import { execa } from "execa";
import { AppError } from "../errors";
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
  if (pgid) await emit({ pgid });
  const killing: { done: Promise<void> | null } = { done: null };
  const onAbort = () => {
    if (pgid) killing.done = killGroup(pgid);
  };
  signal.addEventListener("abort", onAbort, { once: true });
  let stdout = "";
  let stderr = "";
  const lines: { line: string; stream: "stdout" | "stderr" }[] = [];
  let sending = Promise.resolve();
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
  await sending;
  signal.removeEventListener("abort", onAbort);
  if (killing.done) await killing.done;
  if (signal.aborted) throw new AppError("CONFLICT", { message: "The job was cancelled" });
  return { exitCode: result.exitCode ?? 1, stdout, stderr };
};
