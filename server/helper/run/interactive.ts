import { execa } from "execa";
import pty from "node-pty";
import { logger, type TLogger } from "../../log";
import { MAX_CHUNK_BYTES } from "../contract/define";
import { drained } from "../contract/protocol";
import { killGroup, trackGroup } from "./groups";
import {
  checkCall,
  closePipesAfterExit,
  environment,
  signalNumber,
  summariseArgs,
  type TProgram,
} from "./runner";

/**
 * The runner's two other shapes (./runner.ts runs a command to its end and collects or streams its lines): a program
 * in a pty, for a terminal, and a program whose bytes flow both ways, for a command with stdin. Same rules: a
 * program the code names with an argument array, never a shell; the environment the runner gives (PATH, LC_ALL,
 * HOME, TMPDIR and the caller's); a process group of its own (a pty's child leads a session), killed whole and
 * recorded so that the next helper kills what a crashed one left; one log line at the end. Output waits in the
 * kernel (the pty or the pipe) while the caller has not taken the previous chunk: a reader who does not read slows
 * the program down instead of filling the helper's memory.
 */
const defaultLog = logger.child({ component: "run" });

export type TProcessEnd = { exitCode: number | null; signal: number | null };

export type TPtyProcess = {
  pid: number;
  write: (data: Buffer) => void;
  resize: (cols: number, rows: number) => void;
  /** Resolves when the program ended (its whole group killed when it was stopped). */
  exited: Promise<TProcessEnd>;
  /** SIGHUP to its group (a terminal hung up), then SIGTERM and SIGKILL; resolves once it is gone. */
  stop: () => Promise<void>;
};

/** Chunks of at most MAX_CHUNK_BYTES, as the contract's bytes() carry them. */
export const chunked = function* (buffer: Buffer) {
  for (let at = 0; at < buffer.length; at += MAX_CHUNK_BYTES) yield buffer.subarray(at, at + MAX_CHUNK_BYTES);
};

/**
 * Runs a program in a new pty of `cols` × `rows` (TERM=xterm-256color). Each chunk of its output goes to `onData`;
 * the pty is not read again until the promise `onData` returns has settled.
 */
export const spawnPty = (
  program: TProgram,
  args: readonly string[],
  options: {
    cols: number;
    rows: number;
    onData: (chunk: Buffer) => Promise<void>;
    env?: Readonly<Record<string, string>>;
    log?: TLogger;
  },
): TPtyProcess => {
  checkCall(program, args, "until-cancelled");
  const log = options.log ?? defaultLog;
  const started = performance.now();
  const child = pty.spawn(program, [...args], {
    name: "xterm-256color",
    cols: options.cols,
    rows: options.rows,
    cwd: "/",
    env: environment({ TERM: "xterm-256color", ...options.env }),
    // Bytes, not strings: a UTF-8 sequence cut between two reads is the terminal's to join.
    encoding: null,
  });
  const untrack = trackGroup(child.pid, { isJob: false });
  let delivering = Promise.resolve();
  child.onData((data: string | Buffer) => {
    const buffer = typeof data === "string" ? Buffer.from(data) : data;
    child.pause();
    delivering = delivering
      .then(async () => {
        for (const chunk of chunked(buffer)) await options.onData(chunk);
      })
      .catch(() => undefined)
      .finally(() => child.resume());
  });
  const exited = new Promise<TProcessEnd>((resolve) => {
    child.onExit(({ exitCode, signal }) => {
      untrack();
      void delivering.then(() => {
        const end = { exitCode: signal ? null : exitCode, signal: signal || null };
        log.debug("terminal", {
          program,
          argv: summariseArgs(args),
          ...end,
          durationMs: Math.round(performance.now() - started),
        });
        resolve(end);
      });
    });
  });
  let stopping: Promise<void> | null = null;
  return {
    pid: child.pid,
    write: (data) => child.write(data),
    resize: (cols, rows) => {
      try {
        child.resize(cols, rows);
      } catch {
        // The pty is gone: its end comes through `exited`.
      }
    },
    exited,
    stop: () => {
      stopping ??= (async () => {
        try {
          process.kill(-child.pid, "SIGHUP");
        } catch {
          // Already gone.
        }
        const gone = await Promise.race([
          exited.then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1000)),
        ]);
        if (!gone) await killGroup(child.pid);
      })();
      return stopping;
    },
  };
};

export type TPipeResult = TProcessEnd & { timedOut: boolean; durationMs: number };

/**
 * Runs a program with its stdin fed from `stdin` (closed at once when null) and each chunk of its stdout and stderr
 * handed to `onChunk` as it comes (the pipe is not read again until the promise settles). Ends at the program's
 * end, at `timeoutMs` (the group killed, `timedOut`), or when `signal` aborts (the group killed; resolves too).
 */
export const pipeCommand = async (
  program: TProgram,
  args: readonly string[],
  options: {
    timeoutMs: number;
    signal: AbortSignal;
    stdin: AsyncIterable<Buffer> | null;
    onChunk: (stream: "stdout" | "stderr", chunk: Buffer) => Promise<void>;
    env?: Readonly<Record<string, string>>;
    log?: TLogger;
  },
): Promise<TPipeResult> => {
  checkCall(program, args, options.timeoutMs);
  const log = options.log ?? defaultLog;
  const started = performance.now();
  const child = execa(program, [...args], {
    reject: false,
    detached: true,
    buffer: false,
    stdin: options.stdin ? "pipe" : "ignore",
    stdout: "pipe",
    stderr: "pipe",
    extendEnv: false,
    env: environment(options.env),
  });
  const pgid = child.pid;
  const untrack = pgid ? trackGroup(pgid, { isJob: false }) : () => undefined;
  let timedOut = false;
  const state: { killing: Promise<void> | null } = { killing: null };
  const kill = () => {
    state.killing ??= pgid ? killGroup(pgid) : Promise.resolve();
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, options.timeoutMs);
  const onAbort = () => kill();
  options.signal.addEventListener("abort", onAbort, { once: true });
  if (options.signal.aborted) kill();

  let delivering = Promise.resolve();
  for (const name of ["stdout", "stderr"] as const) {
    const stream = child[name];
    stream?.on("data", (data: Buffer) => {
      stream.pause();
      delivering = delivering
        .then(async () => {
          for (const chunk of chunked(data)) await options.onChunk(name, chunk);
        })
        .catch(() => kill())
        .finally(() => stream.resume());
    });
  }
  const feeding = (async () => {
    const input = child.stdin;
    if (!options.stdin || !input) return;
    input.on("error", () => undefined);
    try {
      for await (const chunk of options.stdin) {
        if (input.destroyed) break;
        // Whichever comes first; the other listener goes too (an upload waits here thousands of times).
        if (!input.write(chunk)) await drained(input);
      }
    } finally {
      input.end();
    }
  })().catch(() => undefined);

  // As the runner does: a process the program left outside its group must not hold the call for ever.
  const stopClosing = closePipesAfterExit(child);
  const result = await child;
  stopClosing();
  clearTimeout(timer);
  options.signal.removeEventListener("abort", onAbort);
  await delivering;
  if (state.killing) await state.killing;
  untrack();
  void feeding;
  const signal = result.signal ? (signalNumber(result.signal) ?? null) : null;
  const end: TPipeResult = {
    exitCode: signal === null ? (result.exitCode ?? null) : null,
    signal,
    timedOut,
    durationMs: Math.round(performance.now() - started),
  };
  log.debug("command", { program, argv: summariseArgs(args), ...end });
  return end;
};
