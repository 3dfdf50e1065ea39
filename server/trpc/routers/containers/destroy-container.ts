import { operatorProcedure } from "../../procedures";
import { ZDestroyContainerRequestSchema } from "./destroy-container.types";
import { ZLifecycleResponseSchema } from "./lifecycle.types";

export const destroyContainerRoute = operatorProcedure
  .input(ZDestroyContainerRequestSchema)
  .output(ZLifecycleResponseSchema)
  .mutation(async ({ ctx, input: { name, ...options } }) => {
    ctx.log.info("destroy container", { name, ...options });
    await ctx.runtime.containers.destroy(name, options);
    // A new container with this name starts with no usage history.
    await ctx.runtime.metrics.history.forget(name);
    await ctx.runtime.config.forget(name);
    // Who its Shell logged in as is not the next container of that name's.
    await ctx.runtime.consoles.forget(name);
    // Its range of host ids is free again.
    await ctx.runtime.isolation.release(name);
  });
