import { publicProcedure } from "../../procedures";
import { ZAuthStatusResponseSchema } from "./auth.types";

export const authStatusRoute = publicProcedure.output(ZAuthStatusResponseSchema).query(async ({ ctx }) => ({
  isSetupRequired: (await ctx.runtime.accounts.countUsers()) === 0,
  user: ctx.principal
    ? {
        username: ctx.principal.username,
        role: ctx.principal.role,
        via: ctx.principal.via,
        locale: ctx.principal.locale ?? null,
      }
    : null,
}));
