import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { summariseStderr } from "./stderr";
import { AppError } from "../errors";
import { logger } from "../log";

/**
 * The one place that spawns lxc-* tools. Argument arrays only, a timeout on every call, the log priority set so
 * tools that are otherwise silent on failure say why, and the result kept whole for the caller to judge: LXC's
 * exit codes alone cannot tell success from a no-op, so callers also check the resulting state.
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

const log = logger.child({ component: "lxc" });

export { summariseStderr };

export const runTool = async (
  tool: TLxcTool,
  args: readonly string[],
  options: TRunOptions,
): Promise<TToolResult> => {
  const logDir = options.captureLog ? await mkdtemp(path.join(os.tmpdir(), "atelier-lxclog-")) : undefined;
  try {
    const logFile = logDir ? path.join(logDir, "lxc.log") : undefined;
    const result = await runOnce(tool, logFile ? [...args, "-o", logFile] : args, options);
    const log = logFile ? await readFile(logFile, "utf8").catch(() => "") : "";
    return log ? { ...result, stderr: `${result.stderr}\n${log}` } : result;
  } finally {
    if (logDir) await rm(logDir, { recursive: true, force: true });
  }
};

const runOnce = async (
  tool: TLxcTool,
  args: readonly string[],
  options: TRunOptions,
): Promise<TToolResult> => {
  const started = performance.now();
  const result = await execa(tool, args, {
    reject: false,
    timeout: options.timeoutMs,
    forceKillAfterDelay: 2000,
    stdin: "ignore",
    // The tools must never see a terminal or a locale that changes their output.
    env: { LC_ALL: "C.UTF-8" },
    maxBuffer: 16 * 1024 * 1024,
  });
  const durationMs = Math.round(performance.now() - started);
  const stdout = typeof result.stdout === "string" ? result.stdout : "";
  const stderr = typeof result.stderr === "string" ? result.stderr : "";

  if (result.timedOut) {
    log.warn("lxc tool timed out", { tool, args, durationMs });
    throw new AppError("TIMEOUT", {
      message: `${tool} did not finish within ${Math.round(options.timeoutMs / 1000)} s`,
      hint: "The host may be overloaded or the container stuck. Check `lxc-info` on the host and try again.",
      stderr: summariseStderr(stderr),
    });
  }
  if (result.exitCode === undefined) {
    const missing = (result as { code?: string }).code === "ENOENT";
    log.error("lxc tool could not run", { tool, error: result.message });
    throw new AppError("LXC_UNAVAILABLE", {
      message: missing ? `${tool} is not installed` : `${tool} could not be run: ${result.shortMessage}`,
      hint: "Install LXC on the host: apt-get install lxc lxc-templates busybox-static (the README's setup command does it).",
    });
  }
  log.debug("lxc tool ran", { tool, args, exitCode: result.exitCode, durationMs });
  return { exitCode: result.exitCode, stdout, stderr, durationMs };
};

/** LXC's own default lxcpath, as `lxc-config lxc.lxcpath` reports it. */
export const lxcDefaultPath = async (): Promise<string> => {
  const result = await runTool("lxc-config", ["lxc.lxcpath"], { timeoutMs: 10_000 });
  const value = result.stdout.trim();
  if (result.exitCode !== 0 || !value.startsWith("/")) {
    throw new AppError("LXC_UNAVAILABLE", {
      message: "lxc-config did not report a default lxcpath",
      hint: "Set ATELIER_LXC_PATH, or check the LXC installation with `lxc-config lxc.lxcpath`.",
      stderr: summariseStderr(result.stderr),
    });
  }
  return value;
};

/**
 * `lxc-monitor -n '.*'` for one lxcpath: a long-running process whose stdout carries one line per state change of
 * any container in it (also of containers created later). The caller supervises it.
 */
export const spawnMonitor = (lxcPath: string) =>
  // Through setpriv's parent-death signal: the kernel kills the monitor when the server dies, even by SIGKILL
  // (execa's clean-up only runs when the server exits by itself). Otherwise every crash left one running.
  execa("setpriv", ["--pdeathsig", "KILL", "--", "lxc-monitor", "-P", lxcPath, "-n", ".*"], {
    reject: false,
    stdin: "ignore",
    buffer: false,
    env: { LC_ALL: "C.UTF-8" },
    cleanup: true,
  });
