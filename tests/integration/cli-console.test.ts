import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import pty from "node-pty";
import { beforeAll, describe, expect, it } from "vitest";
import { makeSelfSigned } from "@/server/http/tls";
import { uniqueName } from "../lxc-oracle";
import { startThroughApi } from "../containers";
import { callProcedure, startServer } from "../server";
import { useServer } from "../use-server";

/**
 * `atelier exec` and `atelier attach` (server/cli/exec.ts, attach.ts) against the real server and a running busybox
 * container: the API's streaming form (console.openExec, console.open, then the console's WebSocket) with a token,
 * as a script on the host or elsewhere would use them.
 */
// Each CLI run loads Node and tsx (seconds on a busy machine), and the HTTPS test starts a second server: more than
// a server's default two minutes.
const server = useServer({ timeoutMs: 600_000 });
const root = path.resolve(import.meta.dirname, "../..");

type TJob = { id: string; state: string; error: string | null; log: string[] };
const waitJob = async (id: string) => {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const job = (await callProcedure(server, "jobs.get", { id }, { kind: "query", as: "viewer" }))
      .data as TJob;
    if (job.state !== "running") return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still running`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
};
const createBusybox = async () => {
  const name = uniqueName("cli");
  server.made.push(name);
  const response = await callProcedure(server, "containers.create", { name, rootfs: { kind: "busybox" } });
  expect(response.status, JSON.stringify(response.error)).toBe(200);
  const job = await waitJob((response.data as { jobId: string }).jobId);
  expect(job.state, `${job.error}\n${job.log.slice(-20).join("\n")}`).toBe("succeeded");
  return name;
};

/** The CLI's environment: the server by its URL and the role's token (or what `extra` says instead). */
const envFor = (as: "admin" | "operator" | "viewer" | null, extra: Record<string, string> = {}) => ({
  ATELIER_URL: server.url,
  ...(as ? { ATELIER_TOKEN: server.tokens[as] } : { ATELIER_TOKEN: "" }),
  ...extra,
});
/** The CLI as `npx atelier` runs it (bin/atelier.js), without npx's own start each time. */
const atelier = (args: string[], env: Record<string, string>, input?: string) =>
  execa("node", ["bin/atelier.js", ...args], {
    cwd: root,
    env,
    input: input ?? "",
    reject: false,
    timeout: 60_000,
  });

/** `atelier …` in a pseudo-terminal, as a person at the host's terminal runs it. */
const inPty = (args: string[], env: Record<string, string>) => {
  const terminal = pty.spawn("node", ["bin/atelier.js", ...args], {
    name: "xterm-256color",
    cols: 100,
    rows: 30,
    cwd: root,
    env: { ...process.env, ...env },
  });
  let output = "";
  terminal.onData((data) => (output += data));
  const exited = new Promise<number>((resolve) => terminal.onExit(({ exitCode }) => resolve(exitCode)));
  const waitFor = async (pattern: RegExp, ms = 30_000) => {
    const deadline = Date.now() + ms;
    while (!pattern.test(output)) {
      if (Date.now() > deadline) throw new Error(`no ${String(pattern)} within ${ms} ms in:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const exitCode = async (ms = 30_000) => {
    const timer = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`still running after ${ms} ms:\n${output}`)), ms).unref(),
    );
    return Promise.race([exited, timer]);
  };
  return { terminal, output: () => output, waitFor, exitCode };
};

let running = "";
let stopped = "";
beforeAll(async () => {
  running = await createBusybox();
  stopped = await createBusybox();
  await startThroughApi(server, running);
});

describe("atelier exec", () => {
  it("prints the command's stdout and stderr apart and exits with its code", async () => {
    const result = await execa(
      "npx",
      ["atelier", "exec", running, "--", "sh", "-c", "echo out; echo err >&2; exit 7"],
      { cwd: root, env: envFor("operator"), input: "", reject: false },
    );
    expect(result.stdout).toBe("out");
    expect(result.stderr).toBe("err");
    expect(result.exitCode).toBe(7);
    // Found by the server's own settings when ATELIER_URL is not set (PORT, HOST; plain HTTP on loopback here).
    const byDefault = await atelier(["exec", running, "--", "echo", "found"], {
      ATELIER_TOKEN: server.tokens.operator,
      PORT: new URL(server.url).port,
      ATELIER_DATA_DIR: server.dataDir,
    });
    expect([byDefault.exitCode, byDefault.stdout, byDefault.stderr]).toEqual([0, "found", ""]);
  });

  it("passes its stdin to the command, and exits 128+N for signal N and 124 past its time", async () => {
    const input = Array.from({ length: 20_000 }, (_, index) => `line ${index}`).join("\n");
    const cat = await atelier(["exec", running, "--", "cat"], envFor("operator"), input);
    expect(cat.exitCode, cat.stderr).toBe(0);
    expect(cat.stdout).toBe(input);
    // A reader that goes away ends it as SIGPIPE would (141), and the server stops the command.
    const piped = await atelier(["exec", running, "--", "yes"], envFor("operator")).pipe("head", ["-n", "2"]);
    expect(piped.stdout).toBe("y\ny");
    expect(piped.pipedFrom[0]?.exitCode).toBe(141);
    // ps sees itself and no yes.
    const left = await atelier(
      ["exec", running, "--", "sh", "-c", "sleep 1; ps -o comm | grep -x -e yes -e ps"],
      envFor("operator"),
    );
    expect(left.stdout).toBe("ps");
    const killed = await atelier(["exec", running, "--", "sh", "-c", "kill -TERM $$"], envFor("operator"));
    expect(killed.exitCode, killed.stderr).toBe(143);
    const slow = await atelier(["exec", running, "--timeout", "1", "--", "sleep", "30"], envFor("operator"));
    expect(slow.exitCode).toBe(124);
    expect(slow.stderr).toMatch(/ran past its time \(1 s\)/);
  });

  it("refuses a viewer's token, a missing or unknown token and a stopped container with 125 and a sentence", async () => {
    const viewer = await atelier(["exec", running, "--", "true"], envFor("viewer"));
    expect(viewer.exitCode).toBe(125);
    expect(viewer.stderr).toMatch(/^atelier exec: not allowed \(403\): \S/);
    const missing = await atelier(["exec", running, "--", "true"], envFor(null));
    expect(missing.exitCode).toBe(125);
    expect(missing.stderr).toMatch(/set ATELIER_TOKEN to a token made with `npx atelier token create/);
    const unknown = await atelier(
      ["exec", running, "--", "true"],
      envFor(null, { ATELIER_TOKEN: "atl_t_nope" }),
    );
    expect(unknown.exitCode).toBe(125);
    expect(unknown.stderr).toMatch(/the server refused the token \(401\): \S/);
    const notRunning = await atelier(["exec", stopped, "--", "true"], envFor("operator"));
    expect(notRunning.exitCode).toBe(125);
    expect(notRunning.stderr).toMatch(/^atelier exec: \S.*/);
    expect(notRunning.stderr).toMatch(/running|stopped/i);
    const unreachable = await atelier(
      ["exec", running, "--", "true"],
      envFor("operator", { ATELIER_URL: "http://127.0.0.1:1" }),
    );
    expect(unreachable.exitCode).toBe(125);
    expect(unreachable.stderr).toMatch(/cannot reach Atelier at http:\/\/127\.0\.0\.1:1/);
    expect((await atelier(["exec", running], envFor("operator"))).exitCode).toBe(2);
  });

  it("trusts exactly the data directory's certificate over HTTPS, or ATELIER_CA's", async () => {
    const https = await startServer({ HOST: "0.0.0.0" }, { scheme: "https" });
    try {
      const env = {
        ATELIER_TOKEN: https.tokens.operator,
        HOST: "0.0.0.0",
        PORT: new URL(https.url).port,
        ATELIER_DATA_DIR: https.dataDir,
      };
      // Run as root on the host: the panel's own certificate (web/tls/cert.pem) is trusted, and the server answers.
      const pinned = await atelier(["exec", "no-such-container", "--", "true"], env);
      expect(pinned.exitCode).toBe(125);
      expect(pinned.stderr).not.toMatch(/certificate|cannot reach/);
      expect(pinned.stderr).toMatch(/no-such-container/);
      // ATELIER_CA alone when set: another certificate is refused, the panel's accepted.
      const other = path.join(https.dataDir, "other.pem");
      await writeFile(other, (await makeSelfSigned()).cert);
      const refused = await atelier(["exec", "no-such-container", "--", "true"], {
        ...env,
        ATELIER_CA: other,
      });
      expect(refused.exitCode).toBe(125);
      expect(refused.stderr).toMatch(/cannot reach Atelier at https:\/\/127\.0\.0\.1:\d+: its certificate/);
      const own = path.join(https.dataDir, "own.pem");
      await writeFile(own, await readFile(path.join(https.dataDir, "web", "tls", "cert.pem")));
      const trusted = await atelier(["exec", "no-such-container", "--", "true"], {
        ...env,
        ATELIER_CA: own,
        ATELIER_URL: https.url,
      });
      expect(trusted.stderr).not.toMatch(/certificate|cannot reach/);
    } finally {
      await https.stop();
    }
  });
});

describe("atelier attach", () => {
  it("types in a shell through a terminal and exits with the shell's exit code", async () => {
    const session = inPty(["attach", running], envFor("operator"));
    await session.waitFor(/\/ # /);
    session.terminal.write("echo $((6*7))\r");
    await session.waitFor(/\n42\r/);
    session.terminal.write("exit 3\r");
    expect(await session.exitCode()).toBe(3);
  });

  it("detaches on Ctrl-] d, leaving the shell running, and comes back to it with --session", async () => {
    const first = inPty(["attach", running, "--session", "new"], envFor("operator"));
    await first.waitFor(/\/ # /);
    first.terminal.write("KEPT=still-here\r");
    await first.waitFor(/KEPT=still-here\r+\n\/ # /);
    first.terminal.write("\x1dd");
    expect(await first.exitCode()).toBe(0);
    const sessionId = /--session ([A-Za-z0-9_-]{16,64})/.exec(first.output())?.[1];
    expect(sessionId, first.output()).toBeDefined();

    const again = inPty(["attach", running, "--session", sessionId as string], envFor("operator"));
    await again.waitFor(/\/ # /);
    again.terminal.write('echo "v:$KEPT"\r');
    await again.waitFor(/v:still-here/);
    again.terminal.write("exit\r");
    expect(await again.exitCode()).toBe(0);
  });

  it("watches another's session read-only until Ctrl-] t takes it over", async () => {
    const writer = inPty(["attach", running, "--session", "new"], envFor("operator"));
    await writer.waitFor(/\/ # /);
    const sessions = await callProcedure(server, "console.sessions", { name: running }, { kind: "query" });
    const mine = (sessions.data as { id: string; isYours: boolean; startedAt: string }[])
      .filter((session) => session.isYours)
      .sort((a, b) => String(b.startedAt).localeCompare(String(a.startedAt)))[0];
    expect(mine, JSON.stringify(sessions)).toBeDefined();

    const watcher = inPty(["attach", running, "--session", mine?.id ?? ""], envFor("admin"));
    await watcher.waitFor(/watching operator's session \(read-only\): Ctrl-\] t takes over/);
    // A watcher's keys are dropped.
    watcher.terminal.write("echo dropped-$((1+1))\r");
    writer.terminal.write("echo typed-$((2+2))\r");
    await watcher.waitFor(/typed-4/);
    expect(watcher.output()).not.toMatch(/dropped-2/);

    watcher.terminal.write("\x1dt");
    await watcher.waitFor(/you type now/);
    await writer.waitFor(/admin took over: you watch/);
    watcher.terminal.write("echo taken-$((3+3))\r");
    await writer.waitFor(/taken-6/);
    writer.terminal.write("\x1dd");
    expect(await writer.exitCode()).toBe(0);
    watcher.terminal.write("exit 4\r");
    expect(await watcher.exitCode()).toBe(4);
  });
});
