import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { summariseStderr } from "../schemas/lxc-stderr";
import { AppError, said } from "../errors";
import { isRunError, run, stream } from "../helper/run/runner";

/**
 * The lxc-* tools, on the root side's one command runner (server/helper/run/runner.ts: argument arrays only, a
 * timeout on every call, the process group killed whole, bounded output, one log line per call). Here: which tools
 * there are, LXC's log collected when asked (the driver adds the log priority so that tools otherwise silent on
 * failure say why), and the runner's failures in the driver's terms. The result is kept whole for the caller to
 * judge: LXC's exit codes alone cannot tell success from a no-op, so callers also check the resulting state. The
 * job-length lxc-* commands (copies, snapshots) are server/helper/run/lxc-jobs.ts.
 */
export type TLxcTool =
  | "lxc-ls"
  | "lxc-info"
  | "lxc-create"
  | "lxc-start"
  | "lxc-stop"
  | "lxc-freeze"
  | "lxc-unfreeze"
  | "lxc-destroy"
  | "lxc-wait"
  | "lxc-monitor"
  | "lxc-config"
  | "lxc-cgroup"
  | "lxc-snapshot";

export type TToolResult = {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
};

export type TRunOptions = {
  /** Kill the tool after this many milliseconds and throw TIMEOUT. */
  timeoutMs: number;
  /**
   * Also collect LXC's log for this call (`-o FILE`) and append it to stderr. A daemonized lxc-start reports only
   * "The container failed to start" on stderr; the reason (a missing bridge, a bad mount) is in its log.
   */
  captureLog?: boolean;
};

export { summariseStderr };

const PACKAGE = "lxc";

/** The runner's failures as the driver's callers know them (TIMEOUT with a hint, LXC_UNAVAILABLE). */
const asLxcError = (tool: TLxcTool, timeoutMs: number, error: unknown) => {
  if (isRunError(error, "timeout"))
    return new AppError("TIMEOUT", {
      ...said("lxcToolTimedOut", { tool, seconds: Math.round(timeoutMs / 1000) }),
      stderr: summariseStderr(error.partial.stderr),
      cause: error,
    });
  if (isRunError(error, "missing") || isRunError(error, "spawn"))
    return new AppError("LXC_UNAVAILABLE", {
      ...(error.reason === "missing"
        ? said("lxcToolMissing", { tool })
        : said("lxcToolCannotRun", { tool, reason: String(error.params?.reason ?? "") })),
      cause: error,
    });
  return error;
};

export const runTool = async (
  tool: TLxcTool,
  args: readonly string[],
  options: TRunOptions,
): Promise<TToolResult> => {
  const logDir = options.captureLog ? await mkdtemp(path.join(os.tmpdir(), "atelier-lxclog-")) : undefined;
  try {
    const logFile = logDir ? path.join(logDir, "lxc.log") : undefined;
    const result = await run(tool, logFile ? [...args, "-o", logFile] : args, {
      timeoutMs: options.timeoutMs,
      package: PACKAGE,
      // lxc-stop's own -t is counted inside the timeout; a stuck tool gets a short grace.
      killGraceMs: 2000,
    }).catch((error: unknown) => {
      throw asLxcError(tool, options.timeoutMs, error);
    });
    const log = logFile ? await readFile(logFile, "utf8").catch(() => "") : "";
    const { exitCode, stdout, stderr, durationMs } = result;
    return { exitCode, stdout, stderr: log ? `${stderr}\n${log}` : stderr, durationMs };
  } finally {
    if (logDir) await rm(logDir, { recursive: true, force: true });
  }
};

/** LXC's own default lxcpath, as `lxc-config lxc.lxcpath` reports it. */
export const lxcDefaultPath = async (): Promise<string> => {
  const result = await runTool("lxc-config", ["lxc.lxcpath"], { timeoutMs: 10_000 });
  const value = result.stdout.trim();
  if (result.exitCode !== 0 || !value.startsWith("/")) {
    throw new AppError("LXC_UNAVAILABLE", {
      ...said("lxcPathUnknown"),
      stderr: summariseStderr(result.stderr),
    });
  }
  return value;
};

/**
 * `lxc-monitor -n '.*'` for one lxcpath, until `signal` aborts: each line it prints (one per state change of any
 * container in it, also of containers created later) goes to `onLine`, with back-pressure. Its exit code when it
 * ends by itself (lxc-monitord died: the caller supervises and restarts it), null when cancelled. It runs until
 * cancelled, not to a timeout: a restart would cost a full state re-read for nothing.
 */
export const runMonitor = async (
  lxcPath: string,
  { signal, onLine }: { signal: AbortSignal; onLine: (line: string) => void | Promise<void> },
): Promise<{ exitCode: number | null }> => {
  // Through setpriv's parent-death signal: the kernel kills the monitor when the helper dies, even by SIGKILL.
  // lxc-monitord, which it starts, runs in a session of its own and is left running (as LXC means it to).
  const argv = ["--pdeathsig", "KILL", "--", "lxc-monitor", "-P", lxcPath, "-n", ".*"];
  try {
    const { exitCode } = await stream("setpriv", argv, {
      timeoutMs: "until-cancelled",
      signal,
      collect: false,
      package: PACKAGE,
      // Its stderr (rare) stays out of the stream of state lines.
      onLine: (line, from) => (from === "stdout" ? onLine(line) : undefined),
    });
    return { exitCode };
  } catch (error) {
    if (isRunError(error, "aborted")) return { exitCode: null };
    throw error;
  }
};
