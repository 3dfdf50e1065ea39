import { adminProcedure } from "../../procedures";
import { ZSetRoleRequestSchema, ZUserSchema } from "./users.types";

export const setRoleRoute = adminProcedure
  .input(ZSetRoleRequestSchema)
  .output(ZUserSchema)
  .mutation(async ({ ctx, input }) => {
    const user = await ctx.runtime.accounts.setRole(input.id, input.role);
    // A user made admin is enrolled in the helper with the password of their next sign-in.
    if (user.role === "admin") await ctx.runtime.admins.grant(user.username, ctx.principal);
    else await ctx.runtime.admins.remove(user.username, ctx.principal);
    return user;
  });
