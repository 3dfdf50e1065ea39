import { z } from "zod";
import { adminProcedure } from "../../procedures";
import { ZResetPasswordRequestSchema } from "./users.types";

/** Sets another user's password; their sessions end. */
export const resetPasswordRoute = adminProcedure
  .input(ZResetPasswordRequestSchema)
  .output(z.void())
  .mutation(async ({ ctx, input }) => {
    await ctx.runtime.accounts.setPassword(input.id, input.password);
    const user = (await ctx.runtime.accounts.listUsers()).find((entry) => entry.id === input.id);
    if (user?.role === "admin") await ctx.runtime.admins.enroll(user.username, input.password, ctx.principal);
  });
