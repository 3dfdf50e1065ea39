import { z } from "zod";
import { ZNetworkChange } from "../../../host-network/plan";
import { adminProcedure } from "../../procedures";
import { ZWords } from "./network.types";

export const ZNetworkPlanRequestSchema = z
  .object({ changes: z.array(ZNetworkChange).min(1, "name at least one change").max(50) })
  .strict();

/** A command, what it does in English, and that sentence's words (for the pages). */
const ZCommand = z.object({ description: z.string(), argv: z.array(z.string()), words: ZWords.optional() });
export const ZNetworkPlanResponseSchema = z.object({
  steps: z.array(ZCommand),
  undo: z.array(ZCommand),
  touchesSession: z.boolean(),
  warnings: z.array(z.string()),
  /** Each warning's words, in the same order. */
  warningWords: z.array(ZWords).optional(),
  /** Bridges Atelier will manage (and persist) after this, and those it lets go. */
  claimed: z.array(z.string()),
  released: z.array(z.string()),
  digest: z.string(),
  persist: z.object({
    system: z.enum(["ifupdown", "networkd", "none"]),
    reason: z.string(),
    reasonWords: ZWords.optional(),
    warnings: z.array(z.string()),
    warningWords: z.array(ZWords).optional(),
    files: z.array(z.object({ path: z.string(), diff: z.string(), content: z.string().nullable() })),
  }),
});
export type TNetworkPlanResponse = z.infer<typeof ZNetworkPlanResponseSchema>;

/**
 * What a list of changes would do to the host's network: the exact commands, their undo, whether they touch the
 * interface this browser came in on, and the persisted files' diff. Admins only (host settings); nothing is run.
 */
export const planNetworkRoute = adminProcedure
  .input(ZNetworkPlanRequestSchema)
  .output(ZNetworkPlanResponseSchema)
  .query(({ ctx, input }) =>
    ctx.runtime.network.plan({ changes: input.changes, serverAddress: ctx.serverAddress }),
  );
