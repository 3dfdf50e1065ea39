import { viewerProcedure } from "../../procedures";
import { HISTORY_RANGES, ZMetricsHistoryRequestSchema, ZMetricsHistoryResponseSchema } from "./metrics.types";

/** One container's usage over a window: the last hour at 1 s, then minute rows, then hour rows (min/avg/max). */
export const metricsHistoryRoute = viewerProcedure
  .input(ZMetricsHistoryRequestSchema)
  .output(ZMetricsHistoryResponseSchema)
  .query(async ({ ctx, input }) => {
    // A container that does not exist is NOT_FOUND, like everywhere else (its history went with it).
    await ctx.runtime.containers.get(input.name);
    const span = HISTORY_RANGES[input.range];
    const to = input.to?.getTime() ?? (input.from ? input.from.getTime() + span : Date.now());
    const from = input.from?.getTime() ?? to - span;
    return ctx.runtime.metrics.history.query(input.name, from, to);
  });
