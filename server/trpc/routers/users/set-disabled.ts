import { adminProcedure } from "../../procedures";
import { ZSetDisabledRequestSchema, ZUserSchema } from "./users.types";

/** Disabling ends the user's sessions at once; their tokens stop working too. */
export const setDisabledRoute = adminProcedure
  .input(ZSetDisabledRequestSchema)
  .output(ZUserSchema)
  .mutation(async ({ ctx, input }) => {
    const user = await ctx.runtime.accounts.setDisabled(input.id, input.disabled);
    if (user.disabled) await ctx.runtime.admins.remove(user.username, ctx.principal);
    return user;
  });
