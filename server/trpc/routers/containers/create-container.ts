import { AppError } from "../../../errors";
import { operatorProcedure } from "../../procedures";
import {
  ZCreateContainerRequestSchema,
  ZCreateContainerResponseSchema,
} from "../../../schemas/create-container";

/**
 * Starts a creation job and answers `{ name, jobId }` at once. The foundation's form `{ name, template: "busybox" }`
 * runs as a job too but answers when it has finished (as it always did), with the job's error if it failed.
 */
export const createContainerRoute = operatorProcedure
  .input(ZCreateContainerRequestSchema)
  .output(ZCreateContainerResponseSchema)
  .mutation(async ({ ctx, input }) => {
    ctx.log.info("creating container", { name: input.name, rootfs: input.rootfs?.kind ?? input.template });
    const { name, jobId, finished } = await ctx.runtime.provision.create(input, ctx.principal);
    if (input.template) {
      await finished;
      const job = await ctx.runtime.jobs.get(jobId, { tail: 0 });
      if (job.state !== "succeeded")
        throw new AppError("LXC_FAILED", { message: job.error ?? `Creating "${name}" ${job.state}` });
    }
    return { name, jobId };
  });
