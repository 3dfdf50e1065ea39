import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import pty from "node-pty";
import { WebSocket } from "ws";
import { GUEST_PATH } from "@/server/helper/operations/console";
import { assertTestEnvironment } from "../tests/guard";
import { lxcPath } from "../tests/lxc-oracle";
import { startServer, type TRunningServer } from "../tests/server";
import { median, percentile } from "./stats";

/**
 * Shells over the console's WebSocket (issue #24, docs/console.md), against real LXC, in one run:
 * - keystroke echo latency: one character typed, the time until its echo arrives, per keystroke, through Atelier
 *   (console.open, then the WebSocket with the `ws` package, as the Shell tab's socket: web tier → helper → pty)
 *   against a pty of this process (node-pty) running the same `lxc-attach` the helper runs; the two interleaved in
 *   blocks, so that the machine's load falls on both alike. Goal: at most 2 ms added at p50 (p50 of Atelier's
 *   keystrokes minus p50 of the raw ones, each measured directly);
 * - memory per idle session: N shells opened and left idle with their sockets open (a tab left open), then the same
 *   shells detached (sockets closed: alive on the server for the keep time); the web tier's and the helper's RSS
 *   before and after, and the processes each session adds (lxc-attach and the shell: their PSS);
 * - a flood: N sessions printing `yes` at full speed with their sockets open and read, while `containers.list` is
 *   timed over HTTP (p50, p99), against the same requests without the flood in the same run; and the flood's
 *   throughput as the clients received it.
 */
const KEYSTROKES = Number(process.env.BENCH_KEYSTROKES ?? 200);
const SESSIONS = Number(process.env.BENCH_CONSOLE_SESSIONS ?? 20);
const LISTS = Number(process.env.BENCH_CONSOLE_LISTS ?? 200);
/** Keystrokes per block (raw, then Atelier, alternately) and per line (then Ctrl-U and Enter). */
const BLOCK = 20;
const LINE = 10;

const ms = (value: number) => `${value.toFixed(2).padStart(7)} ms`;
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** A terminal as the bench drives it: bytes typed, output as it arrives (each chunk with its arrival time). */
type TTerminal = {
  write: (text: string) => void;
  received: () => number;
  /** Resolves with the arrival time of the first chunk from now on that `match`es, or fails after `timeoutMs`. */
  next: (match: (text: string) => boolean, timeoutMs?: number) => Promise<number>;
  /** Resolves once nothing arrived for `quietMs`. */
  quiet: (quietMs: number) => Promise<void>;
  close: () => void;
};

const terminalOf = (
  write: (text: string) => void,
  close: () => void,
): TTerminal & { feed: (chunk: Buffer) => void } => {
  let received = 0;
  let tail = "";
  let last = performance.now();
  const waiters = new Set<(text: string, at: number) => void>();
  return {
    feed: (chunk) => {
      const at = performance.now();
      received += chunk.length;
      last = at;
      tail = (tail + chunk.toString("latin1")).slice(-200);
      if (waiters.size === 0) return;
      const text = chunk.toString("latin1");
      for (const waiter of waiters) waiter(text, at);
    },
    write,
    received: () => received,
    next: (match, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const waiter = (text: string, at: number) => {
          if (!match(text)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          resolve(at);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching output in time; the last printed: ${JSON.stringify(tail)}`));
        }, timeoutMs);
        waiters.add(waiter);
      }),
    quiet: async (quietMs) => {
      last = performance.now();
      while (performance.now() - last < quietMs) await sleep(quietMs / 4);
    },
    close,
  };
};

/** The same lxc-attach the helper runs for root's shell (server/helper/operations/console.ts), in a pty of ours. */
const rawShell = (name: string) => {
  const child = pty.spawn(
    "lxc-attach",
    [
      "-n",
      name,
      "-P",
      lxcPath(),
      "--clear-env",
      "-u",
      "0",
      "-g",
      "0",
      ...Object.entries({
        PATH: GUEST_PATH,
        HOME: "/root",
        USER: "root",
        LOGNAME: "root",
        LANG: "C.UTF-8",
        TERM: "xterm-256color",
        SHELL: "/bin/sh",
      }).flatMap(([key, value]) => ["-v", `${key}=${value}`]),
      "--",
      "/bin/sh",
      "-l",
    ],
    {
      name: "xterm-256color",
      cols: 80,
      rows: 24,
      cwd: "/",
      env: { PATH: process.env.PATH ?? "" },
      encoding: null,
    },
  );
  const terminal = terminalOf(
    (text) => child.write(text),
    () => child.kill("SIGKILL"),
  );
  child.onData((data: string | Buffer) => terminal.feed(typeof data === "string" ? Buffer.from(data) : data));
  return terminal;
};

const apiOf = (server: TRunningServer) => {
  const call = async (procedure: string, input: unknown, kind: "query" | "mutation" = "mutation") => {
    const headers = { authorization: `Bearer ${server.tokens.operator}` };
    const response =
      kind === "query"
        ? await fetch(
            `${server.url}/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`,
            { headers },
          )
        : await fetch(`${server.url}/api/trpc/${procedure}`, {
            method: "POST",
            headers: { ...headers, "content-type": "application/json" },
            body: JSON.stringify({ json: input }),
          });
    const body = (await response.json()) as { result?: { data: { json: unknown } } };
    if (!response.ok || !body.result) throw new Error(`${procedure} failed: ${JSON.stringify(body)}`);
    return body.result.data.json;
  };

  /** console.open for a new shell, then its WebSocket: resolves once the shell answered. */
  const openShell = async (name: string) => {
    const { sessionId, ticket } = (await call("console.open", {
      name,
      kind: "shell",
      session: "new",
      cols: 80,
      rows: 24,
    })) as { sessionId: string; ticket: string };
    const ws = new WebSocket(`${server.url.replace(/^http/, "ws")}/api/console?ticket=${ticket}`, {
      headers: { authorization: `Bearer ${server.tokens.operator}` },
      perMessageDeflate: false,
    });
    const closed = new Promise<void>((resolve) => ws.on("close", () => resolve()));
    const terminal = terminalOf(
      (text) => ws.send(Buffer.from(text), { binary: true }),
      () => ws.close(),
    );
    ws.on("message", (data: Buffer, isBinary) => {
      if (isBinary) terminal.feed(data);
    });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
      ws.once("unexpected-response", (_request, response) =>
        reject(new Error(`upgrade refused: ${response.statusCode}`)),
      );
    });
    await ready(terminal);
    return { sessionId, terminal, closed, socket: ws };
  };

  return { call, openShell };
};

/**
 * Waits for the shell's first output to settle (its prompt: keys typed while lxc-attach starts can be lost), then
 * types a line whose output differs from its echo and waits for that output: the shell is there and listening.
 */
const ready = async (terminal: TTerminal) => {
  for (let waited = 0; terminal.received() === 0; waited += 1) {
    if (waited > 400) throw new Error("the shell printed nothing in 20 s");
    await sleep(50);
  }
  await terminal.quiet(300);
  for (let attempt = 1; ; attempt += 1) {
    const seen = terminal.next((text) => text.includes("rea-dy"), 5000);
    terminal.write("echo rea'-'dy\r");
    try {
      await seen;
      break;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
  await terminal.quiet(100);
};

/** One printable character typed; the time until a chunk carrying it arrives. */
const keystroke = async (terminal: TTerminal, char: string) => {
  const echoed = terminal.next((text) => text.includes(char));
  const typed = performance.now();
  terminal.write(char);
  return (await echoed) - typed;
};

const typeBlock = async (terminal: TTerminal, count: number, times: number[]) => {
  for (let index = 0; index < count; index += 1) {
    times.push(await keystroke(terminal, String.fromCharCode(97 + (index % LINE))));
    await sleep(5);
    if ((index + 1) % LINE === 0) {
      // Ctrl-U (the line killed), Enter (an empty command): a fresh, short line for the next ones.
      terminal.write("\x15\r");
      await terminal.quiet(50);
    }
  }
};

/** VmRSS of a process, KiB. */
const rssOf = async (pid: number) =>
  Number(/^VmRSS:\s+(\d+)/m.exec(await readFile(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);

/** Proportional set size of a process, KiB (shared pages split among their users). */
const pssOf = async (pid: number) =>
  Number(
    /^Pss:\s+(\d+)/m.exec(await readFile(`/proc/${pid}/smaps_rollup`, "utf8").catch(() => ""))?.[1] ?? 0,
  );

/** CPU time a process has used so far (user + system), ms. */
const cpuOf = async (pid: number) => {
  const fields =
    (await readFile(`/proc/${pid}/stat`, "utf8").catch(() => ")")).split(")").pop()?.trim().split(" ") ?? [];
  // utime and stime, fields 14 and 15 of stat (11 and 12 after the command), in clock ticks of 10 ms.
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
};

/** A process and all its descendants. */
const treeOf = async (root: number) => {
  const parents = new Map<number, number>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => null);
    if (stat) parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
  }
  const found = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, parent] of parents)
      if (found.has(parent) && !found.has(pid)) {
        found.add(pid);
        grew = true;
      }
  }
  return found;
};

/**
 * The web tier's and the helper's RSS, KiB, once settled: V8 gives heap back some seconds after a burst of work, so
 * read every second until three reads in a row are within 256 KiB of each other (at most 30 s).
 */
const tierMemory = async (server: TRunningServer) => {
  const [web, helper] = [await server.webPid(), await server.helperPid()];
  if (!web || !helper) throw new Error("the web tier or the helper is not running");
  const reads: { web: number; helper: number }[] = [];
  const spread = (key: "web" | "helper") => {
    const last = reads.slice(-3).map((read) => read[key]);
    return Math.max(...last) - Math.min(...last);
  };
  do {
    if (reads.length) await sleep(1000);
    reads.push({ web: await rssOf(web), helper: await rssOf(helper) });
  } while (reads.length < 30 && (reads.length < 3 || spread("web") > 256 || spread("helper") > 256));
  return { ...(reads.at(-1) ?? { web: 0, helper: 0 }), helperPid: helper };
};

export const benchConsole = async (server: TRunningServer) => {
  const api = apiOf(server);
  const name = `bench-console-${process.pid}`;
  const opened: { sessionId: string; terminal: TTerminal }[] = [];
  let raw: TTerminal | null = null;
  const closeAll = async () => {
    for (const { sessionId, terminal } of opened.splice(0)) {
      terminal.close();
      await api.call("console.close", { name, sessionId }).catch(() => undefined);
    }
  };
  const lines: string[] = [];
  try {
    // One busybox container as a user makes it: unprivileged (the default), through the API.
    const { jobId } = (await api.call("containers.create", { name, rootfs: { kind: "busybox" } })) as {
      jobId: string;
    };
    for (let state = "running"; state === "running"; await sleep(250))
      state = ((await api.call("jobs.get", { id: jobId }, "query")) as { state: string }).state;
    await api.call("containers.start", { name });

    // Latency: the raw pty and Atelier's socket typed into alternately, a block of keystrokes each.
    const say = (message: string) => process.stderr.write(`[bench console] ${message}\n`);
    say("keystroke latency");
    raw = rawShell(name);
    await ready(raw);
    const shell = await api.openShell(name);
    opened.push(shell);
    const rawTimes: number[] = [];
    const atelierTimes: number[] = [];
    for (let index = 0; index < 5; index += 1) {
      await keystroke(raw, "x");
      await keystroke(shell.terminal, "x");
    }
    for (const terminal of [raw, shell.terminal]) {
      terminal.write("\x15\r");
      await terminal.quiet(50);
    }
    for (let typed = 0; typed < KEYSTROKES; typed += BLOCK) {
      const count = Math.min(BLOCK, KEYSTROKES - typed);
      await typeBlock(raw, count, rawTimes);
      await typeBlock(shell.terminal, count, atelierTimes);
    }
    raw.close();
    raw = null;
    await closeAll();
    const added = median(atelierTimes) - median(rawTimes);
    lines.push(
      `  keystroke echo, raw pty (lxc-attach)  p50 ${ms(median(rawTimes))}   p99 ${ms(percentile(rawTimes, 0.99))}   (${rawTimes.length} keystrokes)`,
      `  keystroke echo, Atelier WebSocket     p50 ${ms(median(atelierTimes))}   p99 ${ms(percentile(atelierTimes, 0.99))}   (${atelierTimes.length} keystrokes)`,
      `  added at p50: ${added.toFixed(2)} ms, ratio ${(median(atelierTimes) / median(rawTimes)).toFixed(2)}   (goal <= 2 ms added: ${added <= 2 ? "met" : "NOT met"})`,
    );

    say("memory");
    // Memory: N idle shells, sockets open, then detached (sockets closed, sessions alive).
    const before = await tierMemory(server);
    const helperTreeBefore = await treeOf(before.helperPid);
    for (let index = 0; index < SESSIONS; index += 1) opened.push(await api.openShell(name));
    const open = await tierMemory(server);
    const added_ = [...(await treeOf(open.helperPid))].filter((pid) => !helperTreeBefore.has(pid));
    const processes = (await Promise.all(added_.map(pssOf))).reduce((sum, each) => sum + each, 0);
    for (const each of opened) each.terminal.close();
    const detached = await tierMemory(server);
    // A process whose RSS fell meanwhile gave back more (its garbage collector) than the sessions took: no figure.
    const perSession = (after: number, was: number) =>
      after >= was
        ? `${((after - was) / SESSIONS).toFixed(0).padStart(5)} KiB`
        : `  n/a (RSS fell ${((was - after) / 1024).toFixed(1)} MiB)`;
    lines.push(
      `  ${SESSIONS} idle shells, sockets open: web tier ${perSession(open.web, before.web)} per session, helper ${perSession(open.helper, before.helper)}   (RSS ${(before.web / 1024).toFixed(0)} -> ${(open.web / 1024).toFixed(0)} MiB, ${(before.helper / 1024).toFixed(0)} -> ${(open.helper / 1024).toFixed(0)} MiB)`,
      `  the same detached (sockets closed):    web tier ${perSession(detached.web, before.web)} per session, helper ${perSession(detached.helper, before.helper)}`,
      `  processes per session (lxc-attach, shell; PSS): ${(processes / SESSIONS).toFixed(0)} KiB   (${added_.length} processes)`,
    );
    await closeAll();

    say("flood");
    // The flood: N shells printing `yes`, read as fast as they come, while containers.list is timed.
    const list = async () => {
      const started = performance.now();
      const response = await fetch(`${server.url}/api/trpc/containers.list`, {
        headers: { authorization: `Bearer ${server.tokens.viewer}` },
      });
      if (!response.ok) throw new Error(`containers.list answered ${response.status}`);
      await response.arrayBuffer();
      return performance.now() - started;
    };
    const timeLists = async () => {
      const times: number[] = [];
      for (let index = 0; index < LISTS; index += 1) {
        times.push(await list());
        await sleep(20);
      }
      return times;
    };
    await list();
    const calm = await timeLists();
    for (let index = 0; index < SESSIONS; index += 1) opened.push(await api.openShell(name));
    for (const { terminal } of opened) terminal.write("yes\r");
    await sleep(2000);
    const receivedBefore = opened.reduce((sum, { terminal }) => sum + terminal.received(), 0);
    const [webPid, helperPid] = [(await server.webPid()) ?? 0, (await server.helperPid()) ?? 0];
    const helperTree = [...(await treeOf(helperPid))].filter((pid) => pid !== helperPid);
    const cpuBefore = await Promise.all([cpuOf(webPid), cpuOf(helperPid), ...helperTree.map(cpuOf)]);
    const floodStarted = performance.now();
    const flooded = await timeLists();
    const floodMs = performance.now() - floodStarted;
    const seconds = floodMs / 1000;
    const bytes = opened.reduce((sum, { terminal }) => sum + terminal.received(), 0) - receivedBefore;
    const cpuAfter = await Promise.all([cpuOf(webPid), cpuOf(helperPid), ...helperTree.map(cpuOf)]);
    const share = (from: number, to: number) =>
      `${(((cpuAfter.slice(from, to).reduce((sum, each) => sum + each, 0) - cpuBefore.slice(from, to).reduce((sum, each) => sum + each, 0)) / floodMs) * 100).toFixed(0)} %`;
    const cpu = { web: share(0, 1), helper: share(1, 2), programs: share(2, cpuAfter.length) };
    // Every shell still answers after the flood: Ctrl-C, then a command.
    for (const { terminal } of opened) terminal.write("\x03");
    await Promise.all(opened.map(({ terminal }) => ready(terminal)));
    await closeAll();

    const listed = ((await api.call("containers.list", undefined, "query")) as unknown[]).length;
    lines.push(
      `  containers.list (${listed} containers)  calm     p50 ${ms(median(calm))}   p99 ${ms(percentile(calm, 0.99))}   (${LISTS} requests)`,
      `  containers.list, ${SESSIONS} shells printing yes  p50 ${ms(median(flooded))}   p99 ${ms(percentile(flooded, 0.99))}   ratio p99 ${(percentile(flooded, 0.99) / percentile(calm, 0.99)).toFixed(1)}`,
    );

    // The same flood read straight from N ptys of this process: what lxc-attach and the kernel deliver.
    const raws = Array.from({ length: SESSIONS }, () => rawShell(name));
    try {
      await Promise.all(raws.map(ready));
      for (const terminal of raws) terminal.write("yes\r");
      await sleep(2000);
      const rawBefore = raws.reduce((sum, terminal) => sum + terminal.received(), 0);
      const rawStarted = performance.now();
      await sleep(5000);
      const rawSeconds = (performance.now() - rawStarted) / 1000;
      const rawBytes = raws.reduce((sum, terminal) => sum + terminal.received(), 0) - rawBefore;
      lines.push(
        `  flood received by the clients: ${(bytes / seconds / 1024 / 1024).toFixed(2)} MiB/s over ${seconds.toFixed(1)} s (${(bytes / seconds / SESSIONS / 1024).toFixed(0)} KiB/s per shell); CPU of one core: web tier ${cpu.web}, helper ${cpu.helper}, lxc-attach, shells and yes ${cpu.programs}`,
        `  the same ${SESSIONS} floods from raw ptys (lxc-attach): ${(rawBytes / rawSeconds / 1024 / 1024).toFixed(2)} MiB/s   ratio Atelier / raw ${(bytes / seconds / (rawBytes / rawSeconds)).toFixed(3)}`,
      );
    } finally {
      for (const terminal of raws) terminal.close();
    }
  } finally {
    raw?.close();
    await closeAll();
    await execa("lxc-stop", ["-P", lxcPath(), "-n", name, "-k"], { reject: false });
    await execa("lxc-destroy", ["-P", lxcPath(), "-n", name, "-f"], { reject: false });
  }
  return lines;
};

// Alone: `npx tsx scripts/test-env.ts npx tsx bench/console.ts`, with a server of its own.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await assertTestEnvironment();
  // BENCH_SERVER_NODE_OPTIONS reaches the server's processes (e.g. "--cpu-prof --cpu-prof-dir=DIR", DIR writable by
  // the atelier user: each process writes its profile when it stops).
  const options = process.env.BENCH_SERVER_NODE_OPTIONS;
  const server = await startServer(options ? { NODE_OPTIONS: options } : {}, { timeoutMs: 600_000 });
  try {
    process.stdout.write(`Atelier console bench\n${(await benchConsole(server)).join("\n")}\n`);
  } finally {
    await server.stop();
  }
}
