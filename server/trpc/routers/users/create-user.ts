import { adminProcedure } from "../../procedures";
import { ZCreateUserRequestSchema, ZUserSchema } from "./users.types";

export const createUserRoute = adminProcedure
  .input(ZCreateUserRequestSchema)
  .output(ZUserSchema)
  .mutation(async ({ ctx, input }) => {
    const user = await ctx.runtime.accounts.createUser(input);
    if (user.role === "admin") await ctx.runtime.admins.enroll(user.username, input.password, ctx.principal);
    return user;
  });
