import { operatorProcedure } from "../../procedures";
import { ZLifecycleRequestSchema, ZLifecycleResponseSchema } from "./lifecycle.types";

/** Start, freeze and unfreeze: same input, same answer, one service call each. */
export const lifecycleRoute = (operation: "start" | "freeze" | "unfreeze") =>
  operatorProcedure
    .input(ZLifecycleRequestSchema)
    .output(ZLifecycleResponseSchema)
    .mutation(async ({ ctx, input }) => {
      ctx.log.info(`${operation} container`, { name: input.name });
      await ctx.runtime.containers[operation](input.name);
    });
