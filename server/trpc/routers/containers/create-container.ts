import { operatorProcedure } from "../../procedures";
import { ZCreateContainerRequestSchema, ZCreateContainerResponseSchema } from "./create-container.types";

export const createContainerRoute = operatorProcedure
  .input(ZCreateContainerRequestSchema)
  .output(ZCreateContainerResponseSchema)
  .mutation(async ({ ctx, input }) => {
    ctx.log.info("creating container", { name: input.name, template: input.template });
    const created = await ctx.runtime.containers.create(input);
    return { name: created.name };
  });
