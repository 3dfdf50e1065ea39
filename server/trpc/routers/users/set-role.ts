import { adminProcedure } from "../../procedures";
import { ZSetRoleRequestSchema, ZUserSchema } from "./users.types";

export const setRoleRoute = adminProcedure
  .input(ZSetRoleRequestSchema)
  .output(ZUserSchema)
  .mutation(({ ctx, input }) => ctx.runtime.accounts.setRole(input.id, input.role));
