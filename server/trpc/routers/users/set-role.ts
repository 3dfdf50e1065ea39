import { adminProcedure } from "../../procedures";
import { ZSetRoleRequestSchema, ZUserSchema } from "./users.types";

export const setRoleRoute = adminProcedure
  .input(ZSetRoleRequestSchema)
  .output(ZUserSchema)
  .mutation(async ({ ctx, input }) => {
    const user = await ctx.runtime.accounts.setRole(input.id, input.role);
    // A user made admin is enrolled in the helper when an admin next sets their password (or root, on the host).
    if (user.role !== "admin") await ctx.runtime.admins.remove(user.username, ctx.principal);
    return user;
  });
