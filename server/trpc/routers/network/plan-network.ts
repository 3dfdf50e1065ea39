import { z } from "zod";
import { ZNetworkChange } from "../../../host-network/plan";
import { adminProcedure } from "../../procedures";

export const ZNetworkPlanRequestSchema = z
  .object({ changes: z.array(ZNetworkChange).min(1, "name at least one change").max(50) })
  .strict();

const ZStep = z.object({ description: z.string(), argv: z.array(z.string()) });
export const ZNetworkPlanResponseSchema = z.object({
  steps: z.array(ZStep),
  undo: z.array(ZStep),
  touchesSession: z.boolean(),
});

/**
 * What a list of changes would do to the host's network, as the exact commands, with their undo and whether they
 * touch the interface this browser came in on. Admins only (host settings); nothing is run.
 */
export const planNetworkRoute = adminProcedure
  .input(ZNetworkPlanRequestSchema)
  .output(ZNetworkPlanResponseSchema)
  .query(({ ctx, input }) =>
    ctx.runtime.network.plan({ changes: input.changes, serverAddress: ctx.serverAddress }),
  );
