import { operatorProcedure } from "../../procedures";
import { ZRestoreConfigRequestSchema, ZSaveConfigResponseSchema } from "./config.types";

/** Writes an earlier version back, through the same checks as a save (validated, based on `baseVersion`, kept). */
export const restoreConfigRoute = operatorProcedure
  .input(ZRestoreConfigRequestSchema)
  .output(ZSaveConfigResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.runtime.config.restore({
      ...input,
      actor: ctx.principal.username,
      role: ctx.principal.role,
      adminTicket: ctx.principal.adminTicket,
    }),
  );
