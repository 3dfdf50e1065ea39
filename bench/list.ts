/**
 * npm run bench, with N running busybox containers (BENCH_CONTAINERS, default 60) in the test environment's own
 * lxcpath and network namespace, measured in the same run:
 * - `containers.list` over HTTP against `lxc-ls -f`;
 * - the latency from `lxc-freeze` / `lxc-unfreeze` returning to the state event reaching an SSE client;
 * - resource usage (bench/metrics.ts): the sampler's CPU cost and the 24 h history query;
 * - provisioning (bench/provision.ts): busybox create+start through the API against the raw lxc tools;
 * - unprivileged containers (bench/idmap.ts): the Debian rootfs shifted by the helper against chown -hR and the
 *   idmapped assign, and lxc-start privileged against unprivileged;
 * - the helper hop (bench/helper.ts): its round trip, and its share of containers.start and containers.list;
 * - shells (bench/console.ts): keystroke echo through the console's WebSocket against a local pty, memory per idle
 *   session, and containers.list while 20 shells print `yes`;
 * - files inside a container (bench/files.ts): a 1 GiB download and a directory's tar through the API against
 *   `lxc-attach -- cat` and `tar c`, and the web tier's RSS meanwhile.
 */
import { execa } from "execa";
import { createLxcDriver } from "@/server/lxc";
import { assertTestEnvironment } from "../tests/guard";
import { lxcPath } from "../tests/lxc-oracle";
import { SERVER_TIME_LIMIT_MS, startServer } from "../tests/server";
import { openStream } from "../tests/sse";
import { benchConsole } from "./console";
import { benchFiles } from "./files";
import { benchMetrics } from "./metrics";
import { benchHelper } from "./helper";
import { benchIdmap } from "./idmap";
import { benchProvision } from "./provision";
import { median, percentile } from "./stats";

const COUNT = Number(process.env.BENCH_CONTAINERS ?? 60);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 100);
// The server lives through every measurement, and they grow with the containers (lxc-ls -f and lxc-info over all of
// them, a year of history written for each): past the tests' limit from a few hundred on. Still a limit, so that a
// hung server dies: 10 s per container, and 5 min for the shells (bench/console.ts, 2 min on 2 cores), which do not
// grow with the containers.
const SERVER_LIMIT_MS = Math.max(SERVER_TIME_LIMIT_MS, COUNT * 10_000) + 300_000;

const ms = (value: number) => `${value.toFixed(1).padStart(7)} ms`;
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));
const time = async (work: () => Promise<unknown>) => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

/** Runs `work` over `items`, `width` at a time. */
const inBatches = async <T>(items: T[], width: number, work: (item: T) => Promise<unknown>) => {
  for (let index = 0; index < items.length; index += width)
    await Promise.all(items.slice(index, index + width).map(work));
};

const main = async () => {
  await assertTestEnvironment();
  const lxc = createLxcDriver({ lxcPath: lxcPath(), containerConfig: process.env.ATELIER_CONTAINER_CONFIG });
  const names = Array.from({ length: COUNT }, (_, index) => `bench-${String(index).padStart(3, "0")}`);

  process.stderr.write(`creating and starting ${COUNT} busybox containers…\n`);
  await inBatches(names, 4, (name) => lxc.create(name, { template: "busybox" }));
  await inBatches(names, 8, (name) => lxc.start(name));

  const server = await startServer({}, { timeoutMs: SERVER_LIMIT_MS });
  try {
    const list = async () => {
      const response = await fetch(`${server.url}/api/trpc/containers.list`, {
        headers: { authorization: `Bearer ${server.tokens.viewer}` },
      });
      const body = (await response.json()) as { result: { data: { json: unknown[] } } };
      if (body.result.data.json.length !== COUNT)
        throw new Error(`list returned ${body.result.data.json.length} containers`);
    };
    const lxcLs = () => execa("lxc-ls", ["-P", lxcPath(), "-f"]);
    await list();
    await lxcLs();

    // lxc-monitor keeps the state table current: every request is answered from memory.
    const listTimes: number[] = [];
    const lxcLsTimes: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      listTimes.push(await time(list));
      lxcLsTimes.push(await time(lxcLs));
      await sleep(100);
    }
    // Live state: from lxc-freeze (or lxc-unfreeze) returning to the event arriving on the stream.
    const stream = await openStream(`${server.url}/api/events`, {
      authorization: `Bearer ${server.tokens.viewer}`,
    });
    const latencies: number[] = [];
    for (let change = 0; change < CHANGES; change += 1) {
      const name = names[Math.floor(change / 2) % names.length] ?? "";
      const isFreeze = change % 2 === 0;
      const seen = stream.events.length;
      await execa(isFreeze ? "lxc-freeze" : "lxc-unfreeze", ["-P", lxcPath(), "-n", name]);
      const returned = performance.now();
      const expected = isFreeze ? "FROZEN" : "RUNNING";
      await stream.waitFor(
        (event) =>
          stream.events.indexOf(event) >= seen &&
          event.data.container === name &&
          event.data.state === expected,
      );
      latencies.push(Math.max(0, performance.now() - returned));
    }
    stream.close();

    const ratio = median(listTimes) / median(lxcLsTimes);
    const lines = [
      `Atelier bench: ${COUNT} running busybox containers, ${ROUNDS} rounds`,
      `  containers.list over HTTP       median ${ms(median(listTimes))}   p90 ${ms(percentile(listTimes, 0.9))}`,
      `  lxc-ls -f                       median ${ms(median(lxcLsTimes))}   p90 ${ms(percentile(lxcLsTimes, 0.9))}`,
      `  ratio containers.list / lxc-ls -f: ${ratio.toFixed(3)}   (goal <= 0.1 with live state)`,
      `  lxc-freeze/unfreeze -> SSE event  p50 ${ms(median(latencies))}   p99 ${ms(percentile(latencies, 0.99))}   (${CHANGES} changes)`,
    ];
    lines.push(...(await benchMetrics(names, server, `file:${server.dataDir}/scratch.db`)));
    lines.push(...(await benchProvision(server)));
    lines.push(...(await benchConsole(server)));
    lines.push(...(await benchHelper(names[0] ?? "", SERVER_LIMIT_MS)));
    lines.push(...(await benchIdmap()));
    lines.push(...(await benchFiles()));
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await server.stop();
    process.stderr.write("cleaning up…\n");
    await inBatches(names, 8, (name) => lxc.destroy(name, { force: true }).catch(() => undefined));
  }
};

await main();
