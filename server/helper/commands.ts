import { AppError, said } from "../errors";
import { WIRE_LINE_CHARS } from "./contract/jobs";
import type { TOperationContext } from "./operation";
import { isRunError, stream, type TProgram } from "./run/runner";

export { killGroup, recoverProcessGroups, settleGroups } from "./run/groups";

/**
 * The long commands of jobs (lxc-create -t debian, lxc-copy, lxc-snapshot, tar), as the helper's streaming
 * operations run them: on the runner (./run/runner.ts: a process group of its own, killed whole on cancellation or
 * timeout, output bounded), with the operation's stream as the runner's line sink. Items: one `{ pgid }`, then
 * `{ line, stream }` per line, in order; while the caller lags, the command's output waits in its pipe. The typed
 * modules of ./run/ (debootstrap, tar, lxc-jobs) decide the program and its arguments; the caller only gives the
 * operation's typed input.
 */
export type TCommandResult = { exitCode: number; stdout: string; stderr: string };

export type TCommandOptions = {
  timeoutMs: number;
  env?: Readonly<Record<string, string>>;
  maxOutputBytes?: number;
  package?: string;
};

const TRUNCATED = " … (truncated)";

/** A line as an item carries it: at most WIRE_LINE_CHARS, a longer one cut and marked (never a lone half of a pair). */
export const wireLine = (line: string) => {
  if (line.length <= WIRE_LINE_CHARS) return line;
  const kept = line.slice(0, WIRE_LINE_CHARS - TRUNCATED.length);
  return `${/[\uD800-\uDBFF]$/.test(kept) ? kept.slice(0, -1) : kept}${TRUNCATED}`;
};

export const runCommand = async (
  program: TProgram,
  args: readonly string[],
  { signal, emit }: TOperationContext,
  options: TCommandOptions,
): Promise<TCommandResult> => {
  const cancelled = (cause?: unknown) => new AppError("CONFLICT", { ...said("jobCancelled"), cause });
  const result = await stream(program, args, {
    ...options,
    signal,
    isJob: true,
    onStart: (pgid) => emit({ pgid }),
    // The result keeps the whole output (a tar listing's check reads it); only the items are cut.
    onLine: (line, from) => emit({ line: wireLine(line), stream: from }),
  }).catch((error: unknown) => {
    throw isRunError(error, "aborted") || signal.aborted ? cancelled(error) : error;
  });
  // Cancelled as it ended: the caller has given up on its result.
  if (signal.aborted) throw cancelled();
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
};
