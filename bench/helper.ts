import { mkdtemp } from "node:fs/promises";
import path from "node:path";
import { createHelper } from "@/server/helper-client";
import { startHelper } from "@/server/helper/spawn";
import { helperSocketPath, helperStateDirOf, uploadSpoolOf } from "@/server/layout";
import { lxcPath } from "../tests/lxc-oracle";
import { startServer } from "../tests/server";
import { median } from "./stats";

/**
 * The helper hop, measured directly rather than as the difference of two noisy timings:
 * - its round trip: a call whose work is a stat (`lxc.exists`), over the helper's socket, the median of many;
 * - how many helper calls a `containers.start` and a `containers.list` make, counted from a server's own debug log
 *   (one "helper call" line per call);
 * - their cost: calls × round trip, as a share of `containers.start` end to end (goal: at most 5 %), and of
 *   `containers.list` (goal: nothing, as the state table stays in the web tier).
 */
const ROUNDS = Number(process.env.BENCH_HELPER_ROUNDS ?? 10);
const CALLS = 500;

const ms = (value: number) => `${value.toFixed(3).padStart(8)} ms`;

export const benchHelper = async (name: string, serverLimitMs?: number) => {
  const dataDir = await mkdtemp(path.join(process.env.ATELIER_DATA_DIR ?? "/tmp", "bench-helper-"));
  const helper = await startHelper({
    socketPath: helperSocketPath(dataDir),
    stateDir: helperStateDirOf(dataDir),
    uploadSpool: uploadSpoolOf(dataDir),
    hostRoot: process.env.ATELIER_HOST_ROOT ?? dataDir,
    allowUid: 0,
    socketGroup: 0,
    lxcPath: lxcPath(),
    containerConfig: process.env.ATELIER_CONTAINER_CONFIG,
    lxcCache: process.env.ATELIER_LXC_CACHE ?? "",
    importDirs: (process.env.ATELIER_IMPORT_DIRS ?? "").split(":"),
  });
  const client = createHelper(helper.socketPath);
  const trips: number[] = [];
  try {
    await client.lxc.exists({ name: "bench-none" });
    for (let index = 0; index < CALLS; index += 1) {
      const started = performance.now();
      await client.lxc.exists({ name: "bench-none" });
      trips.push(performance.now() - started);
    }
  } finally {
    client.close();
    await helper.stop();
  }
  const hop = median(trips);

  const server = await startServer({ ATELIER_LOG_LEVEL: "debug" }, { timeoutMs: serverLimitMs });
  const starts: number[] = [];
  const startCalls: number[] = [];
  let listCalls: number;
  try {
    const call = async (procedure: string, input: unknown, kind: "query" | "mutation" = "mutation") => {
      const response =
        kind === "query"
          ? await fetch(`${server.url}/api/trpc/${procedure}`, {
              headers: { authorization: `Bearer ${server.tokens.operator}` },
            })
          : await fetch(`${server.url}/api/trpc/${procedure}`, {
              method: "POST",
              headers: {
                authorization: `Bearer ${server.tokens.operator}`,
                "content-type": "application/json",
              },
              body: JSON.stringify({ json: input }),
            });
      if (!response.ok) throw new Error(`${procedure} failed: ${await response.text()}`);
    };
    const helperCalls = () =>
      server
        .output()
        .split("\n")
        .filter((line) => line.includes('"msg":"helper call"')).length;
    await call("containers.stop", { name, force: true });
    for (let round = 0; round < ROUNDS; round += 1) {
      const before = helperCalls();
      const started = performance.now();
      await call("containers.start", { name });
      starts.push(performance.now() - started);
      startCalls.push(helperCalls() - before);
      await call("containers.stop", { name, force: true });
    }
    await call("containers.start", { name });
    // Let the state settle (the table is re-read once after the monitor starts), then list.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const before = helperCalls();
    for (let round = 0; round < ROUNDS * 4; round += 1) await call("containers.list", undefined, "query");
    listCalls = helperCalls() - before;
  } finally {
    await server.stop();
  }
  const perStart = median(startCalls);
  const share = (perStart * hop) / median(starts);
  return [
    `  helper round trip (lxc.exists)     median ${ms(hop)}   (${CALLS} calls)`,
    `  containers.start end to end        median ${ms(median(starts))}   ${perStart} helper call(s) each: hop ${(share * 100).toFixed(3)} % (goal <= 5 %)`,
    `  containers.list                    ${listCalls} helper calls in ${ROUNDS * 4} requests (goal: none)`,
  ];
};
