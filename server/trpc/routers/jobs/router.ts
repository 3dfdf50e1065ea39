import { z } from "zod";
import { operatorProcedure, router, viewerProcedure } from "../../procedures";

const ZJobState = z.enum(["running", "succeeded", "failed", "cancelled", "interrupted"]);
export const ZJobSummary = z.object({
  id: z.string(),
  kind: z.string(),
  owner: z.string(),
  target: z.string(),
  state: ZJobState,
  /** 0-100, or null while it cannot be known */
  progress: z.number().nullable(),
  phase: z.string().nullable(),
  result: z.unknown(),
  error: z.string().nullable(),
  createdAt: z.date(),
  finishedAt: z.date().nullable(),
});
const ZJobId = z.object({ id: z.string().uuid("must be a job id") }).strict();

/** Background jobs: creation, clones, snapshots, restores. */
export const jobsRouter = router({
  /** The last 50 jobs, newest first. */
  list: viewerProcedure.output(z.array(ZJobSummary)).query(({ ctx }) => ctx.runtime.jobs.list()),
  /** One job with the last lines of its log. */
  get: viewerProcedure
    .input(ZJobId.extend({ tail: z.number().int().min(0).max(2000).optional() }).strict())
    .output(ZJobSummary.extend({ log: z.array(z.string()) }))
    .query(({ ctx, input }) => ctx.runtime.jobs.get(input.id, { tail: input.tail })),
  /** Stops a running job: its commands are killed and what it half-made is removed. */
  cancel: operatorProcedure
    .input(ZJobId)
    .output(ZJobSummary.extend({ log: z.array(z.string()) }))
    .mutation(({ ctx, input }) => ctx.runtime.jobs.cancel(input.id)),
});
