import { z } from "zod";
import { viewerProcedure } from "../../procedures";
import { ZRevokeSessionRequestSchema } from "./account.types";

export const revokeSessionRoute = viewerProcedure
  .input(ZRevokeSessionRequestSchema)
  .output(z.void())
  .mutation(async ({ ctx, input }) => {
    await ctx.runtime.accounts.revokeSession(ctx.principal.userId, input.id);
  });
