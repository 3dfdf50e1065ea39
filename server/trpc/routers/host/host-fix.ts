import { adminProcedure } from "../../procedures";
import { ZHostFixRequestSchema, ZHostFixResponseSchema } from "./host.types";

/** One of the readiness section's safe fixes, made by the helper on the admin's ticket (audited as host.fix). */
export const hostFixRoute = adminProcedure
  .input(ZHostFixRequestSchema)
  .output(ZHostFixResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.runtime.helper.host.fix({
      id: input.id,
      ...(ctx.principal.adminTicket ? { ticket: ctx.principal.adminTicket } : {}),
    }),
  );
