import { operatorProcedure } from "../../procedures";
import { ZAutostartReorderRequestSchema, ZAutostartReorderResponseSchema } from "./autostart.types";

/** Rewrites lxc.start.order of the named containers (10, 20, 30…) so that boot runs them in that order. */
export const autostartReorderRoute = operatorProcedure
  .input(ZAutostartReorderRequestSchema)
  .output(ZAutostartReorderResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.runtime.autostart.reorder(input.names, {
      actor: ctx.principal.username,
      role: ctx.principal.role,
      adminTicket: ctx.principal.adminTicket,
    }),
  );
