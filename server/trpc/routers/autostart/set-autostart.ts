import { z } from "zod";
import { operatorProcedure } from "../../procedures";
import { ZAutostartSetRequestSchema } from "./autostart.types";

/** lxc.start.auto/order/delay and lxc.group (through the config's write path), and the stop timeout (helper). */
export const autostartSetRoute = operatorProcedure
  .input(ZAutostartSetRequestSchema)
  .output(z.null())
  .mutation(({ ctx, input }) =>
    ctx.runtime.autostart.set(input, {
      actor: ctx.principal.username,
      role: ctx.principal.role,
      adminTicket: ctx.principal.adminTicket,
    }),
  );
