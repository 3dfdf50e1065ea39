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
    if (input.template) return ctx.runtime.provision.createAndWait(input, ctx.principal);
    const { name, jobId } = await ctx.runtime.provision.create(input, ctx.principal);
    return { name, jobId };
  });
