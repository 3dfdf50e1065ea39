import { z } from "zod";
import { ZNetworkChange } from "../../../host-network/plan";
import { adminProcedure, viewerProcedure } from "../../procedures";
import { ZWords } from "./network.types";

const ZApplyState = z.enum(["applying", "pending", "applied", "confirmed", "rolled-back", "failed"]);
const ZApplyId = z.string().uuid("must be the id network.apply returned");

export const ZNetworkApplyRequestSchema = z
  .object({
    changes: z.array(ZNetworkChange).min(1, "name at least one change").max(50),
    /** The digest network.plan showed: the plan runs only if it is still the same. */
    digest: z.string().regex(/^[0-9a-f]{64}$/, "must be the digest network.plan returned"),
    /** Wait this long for network.confirm before undoing everything (forced to 60 s when the session is touched). */
    rollbackSeconds: z
      .number()
      .int()
      .min(5, "must be at least 5 seconds")
      .max(600, "must be at most 600 seconds")
      .optional(),
  })
  .strict();

const ZApplyResult = z.object({ applyId: z.string(), state: ZApplyState, rollbackAt: z.date().nullable() });

/**
 * Runs a plan's steps in order; a failed step undoes those before it. With a rollback time (always when the change
 * touches this browser's interface or route) the change is undone unless network.confirm arrives in time.
 */
export const applyNetworkRoute = adminProcedure
  .input(ZNetworkApplyRequestSchema)
  .output(ZApplyResult)
  .mutation(({ ctx, input }) =>
    ctx.runtime.network.apply({
      changes: input.changes,
      digest: input.digest,
      rollbackSeconds: input.rollbackSeconds,
      actor: ctx.principal.username,
      adminTicket: ctx.principal.adminTicket,
      serverAddress: ctx.serverAddress,
    }),
  );

const ZApplyIdRequest = z.object({ applyId: ZApplyId }).strict();

/** The browser reached Atelier after the change (over the new path): keep it, and persist it. */
export const confirmNetworkRoute = adminProcedure
  .input(ZApplyIdRequest)
  .output(z.object({ applyId: z.string(), state: ZApplyState }))
  .mutation(({ ctx, input }) =>
    ctx.runtime.network.confirm({
      applyId: input.applyId,
      actor: ctx.principal.username,
      adminTicket: ctx.principal.adminTicket,
    }),
  );

/** Undo a change that waits for confirmation, now. */
export const rollbackNetworkRoute = adminProcedure
  .input(ZApplyIdRequest)
  .output(
    z.object({
      applyId: z.string(),
      state: ZApplyState,
      message: z.string(),
      messageWords: ZWords.nullable().optional(),
    }),
  )
  .mutation(({ ctx, input }) =>
    ctx.runtime.network.rollback({ applyId: input.applyId, actor: ctx.principal.username }),
  );

const ZApplyView = z.object({
  id: z.string(),
  createdAt: z.date(),
  actor: z.string(),
  state: ZApplyState,
  steps: z.array(z.object({ description: z.string(), argv: z.array(z.string()), words: ZWords.optional() })),
  done: z.number(),
  rollbackAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  /** How it ended, in English; and that sentence's words (none on changes recorded before they were kept). */
  message: z.string().nullable(),
  messageWords: ZWords.nullable().optional(),
  log: z.array(
    z.object({ argv: z.array(z.string()), ok: z.boolean(), output: z.string(), undo: z.boolean() }),
  ),
});

/** The last 20 applied changes, newest first, with every command run and its result. */
export const listAppliesRoute = viewerProcedure
  .output(z.array(ZApplyView))
  .query(({ ctx }) => ctx.runtime.network.recent());

/** One applied change: its state (pending, confirmed, rolled back...) and log. */
export const getApplyRoute = viewerProcedure
  .input(ZApplyIdRequest)
  .output(ZApplyView)
  .query(({ ctx, input }) => ctx.runtime.network.get(input.applyId));

/** Which system the bridges are persisted to, the files Atelier owns, and whether they match what is live. */
export const persistedNetworkRoute = viewerProcedure
  .output(
    z.object({
      system: z.enum(["ifupdown", "networkd", "none"]),
      reason: z.string(),
      reasonWords: ZWords.optional(),
      warnings: z.array(z.string()),
      warningWords: z.array(ZWords).optional(),
      managed: z.array(z.string()),
      files: z.array(z.object({ path: z.string(), content: z.string() })),
      inSync: z.boolean(),
      isPending: z.boolean(),
    }),
  )
  .query(async ({ ctx }) => {
    const result = await ctx.runtime.network.persisted();
    return {
      ...result,
      files: result.files.map((file) => ({ path: `/${file.path}`, content: file.content })),
    };
  });
