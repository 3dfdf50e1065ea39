import type { IncomingMessage, ServerResponse } from "node:http";
import { principalOf } from "../auth/principal";
import { EXPOSITION_CONTENT_TYPE, formatExposition } from "../metrics/exposition";
import { collectMetrics } from "../metrics/prometheus";
import type { TRuntime } from "../runtime";
import type { RequestStats } from "./request-stats";

/** Every state a job can be in (server/jobs/jobs.ts), each exposed even at 0 so that a dashboard's series exist. */
const JOB_STATES = ["running", "succeeded", "failed", "cancelled", "interrupted"];

/**
 * GET /metrics: Prometheus' scrape of the containers', the host's and the panel's own figures, for any signed-in
 * user or API token (viewer and up); 401 otherwise. Read from what the sampler and the state table already hold:
 * a scrape starts no process and reads no kernel file.
 */
export const handlePrometheus = async (
  req: IncomingMessage,
  res: ServerResponse,
  runtime: TRuntime,
  requests: RequestStats,
) => {
  const principal = await principalOf(runtime.accounts, req);
  if (!principal) {
    await runtime.anonymousRefusals.record(req.socket.remoteAddress ?? null, "GET /metrics", "UNAUTHORIZED");
    res.writeHead(401, {
      "Content-Type": "application/json",
      "WWW-Authenticate": 'Bearer realm="atelier"',
    });
    return res.end(JSON.stringify({ error: "Sign in first, or send an API token: Authorization: Bearer …" }));
  }
  const { sampler } = runtime.metrics;
  const [containers, jobs] = await Promise.all([
    runtime.containers.list(),
    runtime.db.job.groupBy({ by: ["state"], _count: { _all: true } }),
  ]);
  const jobCounts = new Map(jobs.map((row) => [row.state, row._count._all]));
  const body = formatExposition(
    collectMetrics({
      containers,
      counters: sampler.counters(),
      host: sampler.hostCounters(),
      sampledAt: sampler.latest?.t ?? null,
      panel: {
        requests: requests.entries(),
        liveStreams: runtime.metrics.streams.size,
        consoleSessions: runtime.consoles.count(),
        jobs: [...new Set([...JOB_STATES, ...jobCounts.keys()])].map((state) => ({
          state,
          count: jobCounts.get(state) ?? 0,
        })),
      },
    }),
  );
  res.writeHead(200, { "Content-Type": EXPOSITION_CONTENT_TYPE });
  res.end(body);
};
