import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { execa } from "execa";
import { AppError, said } from "../../errors";
import { logger, type TLogger } from "../../log";
import { killGroup, trackGroup } from "./groups";

/**
 * The one way the root side runs a program (the helper, and the launcher before it starts anything). Every call:
 *
 * - runs a program the code names (a known name looked up on a fixed PATH, or an absolute path) with an argument
 *   array, never through a shell;
 * - has a timeout (`timeoutMs`, required by the types), and an `AbortSignal` if the caller may cancel it;
 * - runs in a process group of its own: a timeout or a cancellation kills the whole group (SIGTERM, then SIGKILL),
 *   so what the command forked goes with it; the helper also records the group (./groups.ts) so that the next
 *   helper kills what a crashed one left;
 * - reads stdout and stderr up to `maxOutputBytes` each: past that the group is killed and the call fails, since a
 *   truncated listing or JSON would be misread;
 * - sees stdin closed unless `input` is given, and an environment made of PATH, LC_ALL=C.UTF-8, HOME and TMPDIR
 *   (when set) and the caller's `env`, nothing else of the caller's;
 * - writes one log line when it ends (program, arguments shortened, exit code, duration): debug level when it
 *   exited, warn when it timed out, overflowed or could not start, info when cancelled.
 *
 * `run` collects the output; `stream` also hands each line over as it comes, and the command's output waits in
 * its pipe while the caller's `onLine` has not finished (back-pressure). Exit codes are the caller's to judge.
 */
export const KNOWN_PROGRAMS = [
  "lxc-ls",
  "lxc-info",
  "lxc-create",
  "lxc-start",
  "lxc-stop",
  "lxc-freeze",
  "lxc-unfreeze",
  "lxc-destroy",
  "lxc-wait",
  "lxc-monitor",
  "lxc-config",
  "lxc-cgroup",
  "lxc-snapshot",
  "lxc-copy",
  "lxc-attach",
  "lxc-console",
  "lxc-checkconfig",
  "ip",
  "nft",
  "dnsmasq",
  "du",
  "tar",
  "ss",
  "getent",
  "setpriv",
] as const;
/** A program the code chose: one of the known names (found on the fixed PATH), or an absolute path. */
export type TProgram = (typeof KNOWN_PROGRAMS)[number] | `/${string}`;

/** Where known programs are looked up: the system's directories only, never the caller's PATH. */
export const RUN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
/** How long a command's pipes may stay open after it exited (held by a process that left its group). */
export const PIPE_DRAIN_MS = 2000;

/**
 * Once a command has exited, its pipes get PIPE_DRAIN_MS to drain, then are closed from this side: a process outside
 * its group (a guest's program run by lxc-attach hands it lxc-attach's own pipes; a setsid daemon) that keeps them
 * open would otherwise hold the call, and everything it prints, for ever; it gets EPIPE from then on. Answers the
 * function that cancels the closing (call it once the command's result is in).
 */
export const closePipesAfterExit = (child: {
  once: (event: "exit", listener: () => void) => unknown;
  stdout?: { destroy: () => unknown } | null;
  stderr?: { destroy: () => unknown } | null;
}) => {
  let timer: NodeJS.Timeout | null = null;
  child.once("exit", () => {
    timer = setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, PIPE_DRAIN_MS);
  });
  return () => {
    if (timer) clearTimeout(timer);
  };
};

type TCommonOptions = {
  /** Variables added to the base environment (PATH, LC_ALL, HOME, TMPDIR). */
  env?: Readonly<Record<string, string>>;
  /** Written to the command's stdin (which is closed otherwise). Never logged. */
  input?: string;
  /** Cancels the call: the group is killed and the call fails with reason "aborted". */
  signal?: AbortSignal;
  /** Bytes each of stdout and stderr may carry (default 16 MiB). */
  maxOutputBytes?: number;
  /** Run as this user and group (the launcher runs migrations as the web tier's user). */
  runAs?: { uid: number; gid: number };
  cwd?: string;
  /** The Debian package that ships the program, named in the error when it is missing. */
  package?: string;
  /** A job's command: `settleGroups` waits for it. */
  isJob?: boolean;
  /** Between SIGTERM and SIGKILL to the group (default 3 s). */
  killGraceMs?: number;
  log?: TLogger;
};

export type TRunOptions = TCommonOptions & {
  /** Kill the group and fail with reason "timeout" after this many milliseconds. Required. */
  timeoutMs: number;
};

export type TStreamLine = (line: string, stream: "stdout" | "stderr") => void | Promise<void>;

export type TStreamOptions = TCommonOptions &
  (
    | { timeoutMs: number }
    /** A stream that runs until cancelled (lxc-monitor): only with a signal, which is then its only end. */
    | { timeoutMs: "until-cancelled"; signal: AbortSignal }
  ) & {
    /** Each line (without its newline) as it comes, in order across both streams. */
    onLine: TStreamLine;
    /** Called with the process group's id before the first line. */
    onStart?: (pgid: number) => void | Promise<void>;
    /** Keep the output for the result (default true); a monitor that runs for days does not. */
    collect?: boolean;
  };

export type TRunResult = {
  /** The exit code; 128 + the signal's number when a signal (not the runner) ended the command. */
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
};

export type TRunFailure = "timeout" | "aborted" | "output-limit" | "missing" | "spawn";

const CODES: Record<TRunFailure, "TIMEOUT" | "CONFLICT" | "INTERNAL"> = {
  timeout: "TIMEOUT",
  aborted: "CONFLICT",
  "output-limit": "INTERNAL",
  missing: "INTERNAL",
  spawn: "INTERNAL",
};

/** A call that did not end with an exit code of its own: what it printed until then is kept. */
export class RunError extends AppError {
  readonly reason: TRunFailure;
  readonly program: string;
  readonly partial: { stdout: string; stderr: string };

  constructor(
    reason: TRunFailure,
    program: string,
    /** The catalogue's sentence (said), what the command printed until then, and why. */
    details: ReturnType<typeof said> & { stdout?: string; stderr?: string; cause?: unknown },
  ) {
    super(CODES[reason], {
      id: details.id,
      params: details.params,
      message: details.message,
      ...(details.hint ? { hint: details.hint } : {}),
      ...(details.stderr?.trim() ? { stderr: details.stderr.trim().slice(-2000) } : {}),
      cause: details.cause,
    });
    this.name = "RunError";
    this.reason = reason;
    this.program = program;
    this.partial = { stdout: details.stdout ?? "", stderr: details.stderr ?? "" };
  }
}

export const isRunError = (error: unknown, reason?: TRunFailure): error is RunError =>
  error instanceof RunError && (reason === undefined || error.reason === reason);

const defaultLog = logger.child({ component: "run" });

const MAX_LOGGED_ARGS = 24;
const MAX_LOGGED_ARG = 120;
/** The arguments as logged: each shortened, at most 24 of them. */
export const summariseArgs = (args: readonly string[]) => {
  const shown = args
    .slice(0, MAX_LOGGED_ARGS)
    .map((arg) => (arg.length > MAX_LOGGED_ARG ? `${arg.slice(0, MAX_LOGGED_ARG)}…` : arg));
  return args.length > MAX_LOGGED_ARGS ? [...shown, `… (${args.length - MAX_LOGGED_ARGS} more)`] : shown;
};

const isKnown = (program: string): boolean => (KNOWN_PROGRAMS as readonly string[]).includes(program);

export const checkCall = (
  program: string,
  args: readonly string[],
  timeoutMs: number | "until-cancelled",
) => {
  // The types keep input out of the program's name; this keeps a bug from reaching exec as root.
  if (
    !isKnown(program) &&
    !(program.startsWith("/") && path.posix.normalize(program) === program && !program.includes("\0"))
  )
    throw new Error(`refusing to run ${JSON.stringify(program)}: not a known program or an absolute path`);
  for (const arg of args)
    if (typeof arg !== "string" || arg.includes("\0"))
      throw new Error(`refusing to run ${program}: an argument is not a string without NUL bytes`);
  if (
    timeoutMs !== "until-cancelled" &&
    !(Number.isInteger(timeoutMs) && timeoutMs > 0 && timeoutMs < 2 ** 31)
  )
    throw new Error(`refusing to run ${program}: timeoutMs must be a positive integer below 2^31`);
};

export const environment = (extra: Readonly<Record<string, string>> | undefined) => {
  const env: Record<string, string> = { PATH: RUN_PATH, LC_ALL: "C.UTF-8" };
  for (const name of ["HOME", "TMPDIR"]) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  return { ...env, ...extra };
};

export const signalNumber = (signal: string | undefined) =>
  signal ? (os.constants.signals as Record<string, number | undefined>)[signal] : undefined;

const ended = (stream: Readable | null | undefined) =>
  new Promise<void>((resolve) => {
    if (!stream || stream.readableEnded || stream.destroyed) return resolve();
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", () => resolve());
  });

type TExecute = TCommonOptions & {
  timeoutMs: number | "until-cancelled";
  onLine?: TStreamLine;
  onStart?: (pgid: number) => void | Promise<void>;
  collect: boolean;
};

const execute = async (
  program: TProgram,
  args: readonly string[],
  options: TExecute,
): Promise<TRunResult> => {
  checkCall(program, args, options.timeoutMs);
  const log = options.log ?? defaultLog;
  const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const logged = { program, argv: summariseArgs(args) };

  if (options.signal?.aborted) {
    log.info("command cancelled before it started", { ...logged, durationMs: 0 });
    throw new RunError("aborted", program, said("runCancelled", { program }));
  }

  const child = execa(program, [...args], {
    reject: false,
    // A group of its own (setsid): killed whole, and out of the caller's terminal and signals.
    detached: true,
    buffer: false,
    ...(options.input === undefined ? { stdin: "ignore" as const } : { input: options.input }),
    stdout: "pipe",
    stderr: "pipe",
    extendEnv: false,
    env: environment(options.env),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.runAs ? { uid: options.runAs.uid, gid: options.runAs.gid } : {}),
  });
  const pgid = child.pid;
  const untrack = pgid ? trackGroup(pgid, { isJob: options.isJob ?? false }) : () => undefined;

  type THalt = {
    reason: "timeout" | "aborted" | "output-limit";
    detail: string;
    /** Which limit the output passed: the whole output's, or one line's. */
    limit?: { what: "total" | "line"; stream: "stdout" | "stderr" };
    killing: Promise<void>;
  };
  const state: { stopped: THalt | null } = { stopped: null };
  const halt = (reason: THalt["reason"], detail = "", limit?: THalt["limit"]) => {
    state.stopped ??= {
      reason,
      detail,
      ...(limit ? { limit } : {}),
      killing: pgid ? killGroup(pgid, options.killGraceMs) : Promise.resolve(),
    };
  };
  const timer =
    options.timeoutMs === "until-cancelled" ? null : setTimeout(() => halt("timeout"), options.timeoutMs);
  const onAbort = () => halt("aborted");
  options.signal?.addEventListener("abort", onAbort, { once: true });

  // Nothing is awaited before the output listeners below are attached: output read meanwhile would be lost.
  let lineError: unknown = null;
  let sending: Promise<void> =
    pgid && options.onStart ? Promise.resolve(options.onStart(pgid)) : Promise.resolve();
  const collected = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const read = (name: "stdout" | "stderr") => {
    const stream = child[name];
    let size = 0;
    let partial: Buffer[] = [];
    let partialSize = 0;
    const deliver = (lines: string[]) => {
      const onLine = options.onLine;
      if (!onLine || lines.length === 0) return;
      // Lines go out in order; while the caller lags, the command's output waits in its pipe.
      stream?.pause();
      sending = sending
        .then(async () => {
          for (const line of lines) await onLine(line, name);
        })
        .catch((error: unknown) => {
          lineError ??= error;
          halt("aborted", "its output could not be handed over");
        })
        .finally(() => stream?.resume());
    };
    stream?.on("data", (chunk: Buffer | string) => {
      if (state.stopped?.reason === "output-limit") return;
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      if (options.collect) {
        size += buffer.length;
        if (size > maxBytes)
          return halt("output-limit", `more than ${maxBytes} bytes on ${name}`, {
            what: "total",
            stream: name,
          });
        collected[name].push(buffer);
      }
      if (!options.onLine) return;
      const lines: string[] = [];
      let from = 0;
      for (let at = buffer.indexOf(10); at !== -1; at = buffer.indexOf(10, from)) {
        lines.push(Buffer.concat([...partial, buffer.subarray(from, at)]).toString("utf8"));
        partial = [];
        partialSize = 0;
        from = at + 1;
      }
      if (from < buffer.length) {
        partial.push(buffer.subarray(from));
        partialSize += buffer.length - from;
        if (partialSize > maxBytes)
          return halt("output-limit", `a line of more than ${maxBytes} bytes on ${name}`, {
            what: "line",
            stream: name,
          });
      }
      deliver(lines);
    });
    stream?.on("end", () => {
      if (partialSize > 0 && state.stopped?.reason !== "output-limit")
        deliver([Buffer.concat(partial).toString("utf8")]);
      partial = [];
      partialSize = 0;
    });
  };
  read("stdout");
  read("stderr");

  const stopClosing = closePipesAfterExit(child);
  const [result] = await Promise.all([child, ended(child.stdout), ended(child.stderr)]);
  stopClosing();
  if (timer) clearTimeout(timer);
  options.signal?.removeEventListener("abort", onAbort);
  await sending;
  const halted = state.stopped;
  if (halted) await halted.killing;
  untrack();

  const durationMs = elapsed();
  const stdout = Buffer.concat(collected.stdout).toString("utf8");
  const stderr = Buffer.concat(collected.stderr).toString("utf8");
  if (halted) {
    const { reason, detail } = halted;
    const level = reason === "aborted" ? "info" : "warn";
    log[level](
      `command ${reason === "aborted" ? "cancelled" : reason === "timeout" ? "timed out" : "overflowed"}`,
      {
        ...logged,
        durationMs,
        ...(detail ? { detail } : {}),
      },
    );
    const words =
      reason === "timeout"
        ? said("runTimedOut", { program, seconds: Math.round(Number(options.timeoutMs) / 1000) })
        : reason === "aborted"
          ? // The one detail of a cancel: the caller stopped taking the lines.
            said(detail ? "runCancelledOutputLost" : "runCancelled", { program })
          : said(halted.limit?.what === "line" ? "runLineTooLong" : "runOutputTooLarge", {
              program,
              bytes: maxBytes,
              stream: halted.limit?.stream ?? "stdout",
            });
    throw new RunError(reason, program, { ...words, stdout, stderr, cause: lineError ?? undefined });
  }
  if (result.exitCode === undefined && result.signal === undefined) {
    const code = (result as { code?: string }).code;
    const missing = code === "ENOENT";
    log.warn("command could not start", { ...logged, durationMs, error: code ?? result.shortMessage });
    throw new RunError(missing ? "missing" : "spawn", program, {
      ...(!missing
        ? said("programCannotRun", { program, reason: result.shortMessage ?? "" })
        : options.package
          ? said("programNotInstalledInstall", { program, package: options.package })
          : said("programNotInstalled", { program })),
      cause: result,
    });
  }
  const exitCode = result.exitCode ?? 128 + (signalNumber(result.signal) ?? 0);
  log.debug("command", {
    ...logged,
    exitCode,
    durationMs,
    ...(result.signal ? { signal: result.signal } : {}),
  });
  return { exitCode, stdout, stderr, durationMs };
};

/** Runs a program to its end and returns its exit code and output; throws RunError when it did not end by itself. */
export const run = (program: TProgram, args: readonly string[], options: TRunOptions): Promise<TRunResult> =>
  execute(program, args, { ...options, collect: true });

/** As `run`, also handing each line to `onLine` as it comes (with back-pressure). */
export const stream = (
  program: TProgram,
  args: readonly string[],
  options: TStreamOptions,
): Promise<TRunResult> => execute(program, args, { ...options, collect: options.collect ?? true });
