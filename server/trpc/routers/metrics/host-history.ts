import { HOST_KEY } from "../../../metrics";
import { viewerProcedure } from "../../procedures";
import { HISTORY_RANGES, ZHostHistoryRequestSchema, ZHostHistoryResponseSchema } from "./metrics.types";

/** The host's usage over a window: the last hour at 1 s, then minute rows, then hour rows (min/avg/max). */
export const hostHistoryRoute = viewerProcedure
  .input(ZHostHistoryRequestSchema)
  .output(ZHostHistoryResponseSchema)
  .query(({ ctx, input }) => {
    const span = HISTORY_RANGES[input.range];
    const to = input.to?.getTime() ?? (input.from ? input.from.getTime() + span : Date.now());
    const from = input.from?.getTime() ?? to - span;
    return ctx.runtime.metrics.hostHistory.query(HOST_KEY, from, to);
  });
