import { AppError, said } from "../../../errors";
import { payloadOf, sparklinesOf } from "../../../metrics/live";
import { viewerProcedure } from "../../procedures";
import { ZCurrentMetricsRequestSchema, ZCurrentMetricsResponseSchema } from "./metrics.types";

/**
 * The latest sample of what a page shows. With `streamId`, the page's live stream then carries the same selection
 * every tick (a read that also sets what this browser's own stream sends: no state of the host changes).
 */
export const currentMetricsRoute = viewerProcedure
  .input(ZCurrentMetricsRequestSchema)
  .output(ZCurrentMetricsResponseSchema)
  .query(({ ctx, input }) => {
    const { metrics } = ctx.runtime;
    const watch = { host: input.host, summary: input.summary, containers: input.containers };
    if (input.streamId && !metrics.streams.watch(input.streamId, ctx.principal.userId, watch)) {
      throw new AppError("NOT_FOUND", { ...said("liveStreamGone"), field: "streamId" });
    }
    const latest = metrics.sampler.latest;
    const base = {
      t: latest?.t ?? null,
      intervalMs: metrics.intervalMs,
      cgroup: metrics.layout.version === 2 ? ("v2" as const) : ("v1" as const),
    };
    if (!latest) return base;
    const payload = payloadOf(latest, watch);
    return {
      ...base,
      ...payload,
      t: latest.t,
      ...(input.sparklines && payload.summary
        ? {
            sparklines: sparklinesOf(
              metrics.recent,
              payload.summary.map((row) => row.name),
              latest.t,
            ),
          }
        : {}),
    };
  });
