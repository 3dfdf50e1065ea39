import { execa } from "execa";
import { lxcPath } from "../tests/lxc-oracle";
import type { TRunningServer } from "../tests/server";
import { openStream } from "../tests/sse";
import { median } from "./stats";

/**
 * Provisioning: a busybox container created and started through the API (containers.create answers with a job at
 * once; the job's end arrives as an event on the live stream; then containers.start) against raw `lxc-create -t
 * busybox` + `lxc-start`, interleaved, in the same run. Goal: <= 1.5x.
 */
const ROUNDS = Number(process.env.BENCH_CREATE_ROUNDS ?? 10);

const ms = (value: number) => `${value.toFixed(1).padStart(7)} ms`;

export const benchProvision = async (server: TRunningServer) => {
  const config = process.env.ATELIER_CONTAINER_CONFIG;
  const call = async (procedure: string, input: unknown) => {
    const response = await fetch(`${server.url}/api/trpc/${procedure}`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.tokens.operator}`, "content-type": "application/json" },
      body: JSON.stringify({ json: input }),
    });
    const body = (await response.json()) as { result?: { data: { json: Record<string, string> } } };
    if (!response.ok || !body.result) throw new Error(`${procedure} failed: ${JSON.stringify(body)}`);
    return body.result.data.json;
  };
  const stream = await openStream(`${server.url}/api/events`, {
    authorization: `Bearer ${server.tokens.viewer}`,
  });
  const api: number[] = [];
  const raw: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      const viaApi = `bench-api-${round}`;
      let started = performance.now();
      const { jobId } = await call("containers.create", { name: viaApi, rootfs: { kind: "busybox" } });
      const done = await stream.waitFor((event) => {
        const data = event.data.data as { jobId?: string; state?: string } | null;
        return event.data.type === "job" && data?.jobId === jobId && data?.state !== "running";
      }, 60_000);
      if ((done.data.data as { state: string }).state !== "succeeded") throw new Error(`job ${jobId} failed`);
      await call("containers.start", { name: viaApi });
      api.push(performance.now() - started);

      const viaLxc = `bench-raw-${round}`;
      started = performance.now();
      await execa("lxc-create", [
        "-P",
        lxcPath(),
        "-n",
        viaLxc,
        "-t",
        "busybox",
        ...(config ? ["-f", config] : []),
      ]);
      await execa("lxc-start", ["-P", lxcPath(), "-n", viaLxc]);
      raw.push(performance.now() - started);

      for (const name of [viaApi, viaLxc])
        await execa("lxc-destroy", ["-P", lxcPath(), "-n", name, "-f"], { reject: false });
    }
  } finally {
    stream.close();
  }
  const ratio = median(api) / median(raw);
  return [
    `  busybox create+start via the API  median ${ms(median(api))}   (${ROUNDS} rounds, job end from the live stream)`,
    `  lxc-create -t busybox + lxc-start median ${ms(median(raw))}`,
    `  ratio API / raw lxc tools: ${ratio.toFixed(2)}   (goal <= 1.5)`,
  ];
};
