import { operatorProcedure } from "../../procedures";
import { ZLifecycleResponseSchema } from "./lifecycle.types";
import { ZStopContainerRequestSchema } from "./stop-container.types";

export const stopContainerRoute = operatorProcedure
  .input(ZStopContainerRequestSchema)
  .output(ZLifecycleResponseSchema)
  .mutation(async ({ ctx, input: { name, ...options } }) => {
    ctx.log.info("stop container", { name, ...options });
    await ctx.runtime.containers.stop(name, options);
  });
