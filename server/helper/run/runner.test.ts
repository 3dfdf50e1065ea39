import { describe, expect, it } from "vitest";
import { processesInGroup } from "@/tests/processes";
import type { TLogger } from "../../log";
import { liveGroups } from "./groups";
import { isRunError, run, stream, summariseArgs, type TRunOptions } from "./runner";

/** The runner on real processes: /bin/sh and node itself stand in for the tools. */
const NODE = process.execPath as `/${string}`;
const SH = "/bin/sh";

const recordingLog = () => {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}) =>
      lines.push({ level, msg, fields });
  const log: TLogger = {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: () => log,
  };
  return { log, lines };
};

/** A command that runs until killed, with a grandchild in its group; its group id once it started. */
const lingering = (options: Omit<TRunOptions, "timeoutMs"> & { timeoutMs: number }) => {
  let pgid = 0;
  const done = stream(SH, ["-c", "sleep 100 & sleep 100"], {
    ...options,
    onLine: () => undefined,
    onStart: (id) => {
      pgid = id;
    },
  });
  return { done, pgid: () => pgid };
};

const failure = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!isRunError(error)) throw new Error(`expected a RunError, got ${String(error)}`);
  return error;
};

describe("run", () => {
  it("passes each argument as it is, never through a shell", async () => {
    const args = ["a b", "$(touch /tmp/nope)", "*", "", "'\"", "; echo x | y &", "é\t\n"];
    const result = await run(
      NODE,
      ["-e", "process.stdout.write(JSON.stringify(process.argv.slice(1)))", ...args],
      {
        timeoutMs: 10_000,
      },
    );
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(args);
  });

  it("returns the exit code and both outputs, and 128 + the signal for a command a signal ended", async () => {
    const result = await run(SH, ["-c", 'printf "out\\n"; printf "err" >&2; exit 3'], { timeoutMs: 10_000 });
    expect(result).toMatchObject({ exitCode: 3, stdout: "out\n", stderr: "err" });
    expect((await run(SH, ["-c", "kill -9 $$"], { timeoutMs: 10_000 })).exitCode).toBe(137);
  });

  it("gives the command only the base environment and the caller's variables", async () => {
    process.env.ATELIER_RUNNER_SECRET = "leak";
    try {
      const result = await run(NODE, ["-e", "process.stdout.write(JSON.stringify(process.env))"], {
        timeoutMs: 10_000,
        env: { EXTRA: "1" },
      });
      const env = JSON.parse(result.stdout) as Record<string, string>;
      expect(Object.keys(env).sort()).toEqual(
        ["EXTRA", "LC_ALL", "PATH", ...["HOME", "TMPDIR"].filter((name) => process.env[name])].sort(),
      );
      expect(env.PATH).toBe("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
      expect(env.LC_ALL).toBe("C.UTF-8");
    } finally {
      delete process.env.ATELIER_RUNNER_SECRET;
    }
  });

  it("closes stdin unless input is given", async () => {
    const script =
      "let s='';process.stdin.on('data',(c)=>s+=c).on('end',()=>process.stdout.write('['+s+']'))";
    expect((await run(NODE, ["-e", script], { timeoutMs: 10_000 })).stdout).toBe("[]");
    expect((await run(NODE, ["-e", script], { timeoutMs: 10_000, input: "table ip x {}\n" })).stdout).toBe(
      "[table ip x {}\n]",
    );
  });

  it("kills the whole group at the timeout, a grandchild too", async () => {
    const started = Date.now();
    const call = lingering({ timeoutMs: 500, killGraceMs: 1000 });
    const error = await failure(call.done);
    expect(error.reason).toBe("timeout");
    expect(error.code).toBe("TIMEOUT");
    expect(error.message).toMatch(/did not finish within/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(call.pgid()).toBeGreaterThan(1);
    expect(await processesInGroup(call.pgid())).toEqual([]);
    expect(liveGroups()).not.toContain(call.pgid());
  });

  it("SIGKILLs a group that ignores SIGTERM, after the grace", async () => {
    let pgid = 0;
    const done = stream(SH, ["-c", "trap '' TERM; sleep 100 & trap '' TERM; while :; do sleep 1; done"], {
      timeoutMs: 300,
      killGraceMs: 300,
      onLine: () => undefined,
      onStart: (id) => {
        pgid = id;
      },
    });
    expect((await failure(done)).reason).toBe("timeout");
    expect(await processesInGroup(pgid)).toEqual([]);
  });

  it("kills the whole group when the call is cancelled", async () => {
    const controller = new AbortController();
    const call = lingering({ timeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    const error = await failure(call.done);
    expect(error.reason).toBe("aborted");
    expect(await processesInGroup(call.pgid())).toEqual([]);
  });

  it("runs nothing when cancelled before it starts", async () => {
    const { log, lines } = recordingLog();
    const error = await failure(
      run(SH, ["-c", "exit 0"], { timeoutMs: 1000, signal: AbortSignal.abort(), log }),
    );
    expect(error.reason).toBe("aborted");
    expect(lines).toHaveLength(1);
  });

  it("stops a command that prints more than the bound, and says so", async () => {
    const { log, lines } = recordingLog();
    let pgid = 0;
    const error = await failure(
      stream(SH, ["-c", "while :; do echo 0123456789; done & wait"], {
        timeoutMs: 30_000,
        maxOutputBytes: 64 * 1024,
        log,
        onLine: () => undefined,
        onStart: (id) => {
          pgid = id;
        },
      }),
    );
    expect(error.reason).toBe("output-limit");
    expect(error.message).toMatch(/printed too much \(more than 65536 bytes on stdout\)/);
    expect(error.partial.stdout.length).toBeLessThanOrEqual(64 * 1024);
    expect(await processesInGroup(pgid)).toEqual([]);
    expect(lines.map((line) => line.level)).toEqual(["warn"]);
  });

  it("keeps output up to the bound", async () => {
    const result = await run(NODE, ["-e", "process.stdout.write('x'.repeat(1000))"], {
      timeoutMs: 10_000,
      maxOutputBytes: 1000,
    });
    expect(result.stdout).toHaveLength(1000);
  });

  it("writes one log line per call: program, arguments, exit code, duration", async () => {
    const { log, lines } = recordingLog();
    await run(SH, ["-c", "exit 2", "x".repeat(500)], { timeoutMs: 10_000, log });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: "debug",
      fields: { program: SH, exitCode: 2, argv: ["-c", "exit 2", `${"x".repeat(120)}…`] },
    });
    expect(lines[0]?.fields.durationMs).toEqual(expect.any(Number));

    const timedOut = recordingLog();
    await failure(run(SH, ["-c", "sleep 10"], { timeoutMs: 200, log: timedOut.log }));
    expect(timedOut.lines.map((line) => [line.level, line.msg])).toEqual([["warn", "command timed out"]]);
  });

  it("says which program is missing, and from which package", async () => {
    const { log, lines } = recordingLog();
    const error = await failure(
      run("/nonexistent/atelier-tool", [], { timeoutMs: 1000, package: "atelier-tools", log }),
    );
    expect(error).toMatchObject({ reason: "missing", message: "/nonexistent/atelier-tool is not installed" });
    expect(error.hint).toMatch(/Install atelier-tools/);
    expect(lines).toHaveLength(1);
  });

  it("refuses a program that is neither known nor an absolute path, and a timeout that is not one", async () => {
    await expect(run("sh" as "/bin/sh", [], { timeoutMs: 1000 })).rejects.toThrow(/not a known program/);
    await expect(run("/bin/../bin/sh", [], { timeoutMs: 1000 })).rejects.toThrow(/not a known program/);
    await expect(run(SH, ["a\0b"], { timeoutMs: 1000 })).rejects.toThrow(/NUL/);
    await expect(run(SH, [], { timeoutMs: Infinity })).rejects.toThrow(/timeoutMs/);
    // @ts-expect-error: a call without a timeout does not compile.
    await expect(run(SH, ["-c", "exit 0"], {})).rejects.toThrow(/timeoutMs/);
  });

  it("shortens the logged arguments", () => {
    const many = Array.from({ length: 30 }, (_, index) => String(index));
    expect(summariseArgs(many)).toHaveLength(25);
    expect(summariseArgs(many).at(-1)).toBe("… (6 more)");
  });
});

describe("stream", () => {
  it("hands over lines in order, waits for a slow reader, and keeps the last line without a newline", async () => {
    const seen: string[] = [];
    const result = await stream(
      SH,
      ["-c", "for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done; printf end"],
      {
        timeoutMs: 10_000,
        onLine: async (line, from) => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          seen.push(`${from}:${line}`);
        },
      },
    );
    expect(seen.filter((line) => line.startsWith("stdout:"))).toEqual([
      ...[1, 2, 3, 4, 5].map((index) => `stdout:out${index}`),
      "stdout:end",
    ]);
    expect(seen.filter((line) => line.startsWith("stderr:"))).toHaveLength(5);
    expect(result.stdout).toBe("out1\nout2\nout3\nout4\nout5\nend");
  });

  it("keeps nothing when asked not to collect, and runs until cancelled when so declared", async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const done = stream(SH, ["-c", "echo ready; exec sleep 100"], {
      timeoutMs: "until-cancelled",
      signal: controller.signal,
      collect: false,
      onLine: (line) => {
        seen.push(line);
        controller.abort();
      },
    });
    const error = await failure(done);
    expect(error.reason).toBe("aborted");
    expect(seen).toEqual(["ready"]);
    expect(error.partial.stdout).toBe("");
  });

  it("stops the command when a line cannot be handed over", async () => {
    let pgid = 0;
    const error = await failure(
      stream(SH, ["-c", "echo one; sleep 100"], {
        timeoutMs: 30_000,
        onStart: (id) => {
          pgid = id;
        },
        onLine: () => Promise.reject(new Error("the client went away")),
      }),
    );
    expect(error.reason).toBe("aborted");
    expect(error.message).toMatch(/could not be handed over/);
    expect(await processesInGroup(pgid)).toEqual([]);
  });
});
