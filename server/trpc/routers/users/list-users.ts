import { z } from "zod";
import { adminProcedure } from "../../procedures";
import { ZUserSchema } from "./users.types";

export const listUsersRoute = adminProcedure
  .output(z.array(ZUserSchema))
  .query(({ ctx }) => ctx.runtime.accounts.listUsers());
