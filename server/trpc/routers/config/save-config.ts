import { operatorProcedure } from "../../procedures";
import { ZSaveConfigRequestSchema, ZSaveConfigResponseSchema } from "./config.types";

/**
 * Writes a container's config: refused with CONFLICT if the file is no longer `baseVersion`, with BAD_REQUEST and
 * `data.problems` (by line) if invalid; in both cases the file is untouched. Atomic; the version is kept.
 */
export const saveConfigRoute = operatorProcedure
  .input(ZSaveConfigRequestSchema)
  .output(ZSaveConfigResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.runtime.config.save({
      ...input,
      actor: ctx.principal.username,
      role: ctx.principal.role,
      adminTicket: ctx.principal.adminTicket,
    }),
  );
