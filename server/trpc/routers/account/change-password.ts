import { z } from "zod";
import { viewerProcedure } from "../../procedures";
import { ZChangePasswordRequestSchema } from "./account.types";

/** Changes one's own password; every other session of the user ends. */
export const changePasswordRoute = viewerProcedure
  .input(ZChangePasswordRequestSchema)
  .output(z.void())
  .mutation(async ({ ctx, input }) => {
    await ctx.runtime.accounts.changeOwnPassword(ctx.principal, input.currentPassword, input.newPassword);
    if (ctx.principal.role === "admin")
      await ctx.runtime.admins.enroll(ctx.principal.username, input.newPassword, ctx.principal);
  });
