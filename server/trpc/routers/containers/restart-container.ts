import { operatorProcedure } from "../../procedures";
import { ZLifecycleResponseSchema } from "./lifecycle.types";
import { ZRestartContainerRequestSchema } from "./restart-container.types";

export const restartContainerRoute = operatorProcedure
  .input(ZRestartContainerRequestSchema)
  .output(ZLifecycleResponseSchema)
  .mutation(async ({ ctx, input: { name, ...options } }) => {
    ctx.log.info("restart container", { name, ...options });
    await ctx.runtime.containers.restart(name, options);
  });
