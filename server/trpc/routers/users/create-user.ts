import { adminProcedure } from "../../procedures";
import { ZCreateUserRequestSchema, ZUserSchema } from "./users.types";

export const createUserRoute = adminProcedure
  .input(ZCreateUserRequestSchema)
  .output(ZUserSchema)
  .mutation(({ ctx, input }) => ctx.runtime.accounts.createUser(input));
