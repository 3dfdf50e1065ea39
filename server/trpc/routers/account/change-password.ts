import { z } from "zod";
import { requireAccount } from "../../../auth/local-principal";
import { viewerProcedure } from "../../procedures";
import { ZChangePasswordRequestSchema } from "./account.types";

/**
 * Changes one's own password; every other session of the user ends. An admin's earlier tickets are void in the
 * helper: this session keeps working as an admin with the renewed ticket the helper answers.
 */
export const changePasswordRoute = viewerProcedure
  .input(ZChangePasswordRequestSchema)
  .output(z.void())
  .mutation(async ({ ctx, input }) => {
    requireAccount(ctx.principal);
    await ctx.runtime.accounts.changeOwnPassword(ctx.principal, input.currentPassword, input.newPassword);
    if (ctx.principal.role === "admin") {
      const renewed = await ctx.runtime.admins.enroll(
        ctx.principal.username,
        input.newPassword,
        ctx.principal,
      );
      if (renewed) await ctx.runtime.accounts.keepRenewedTicket(ctx.principal, renewed);
    }
  });
