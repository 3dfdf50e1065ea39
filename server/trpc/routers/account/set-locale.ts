import { z } from "zod";
import { requireAccount } from "../../../auth/local-principal";
import { viewerProcedure } from "../../procedures";
import { ZSetLocaleRequestSchema } from "./account.types";

/** Saves the language the user reads the pages in (any role: it is their own setting). */
export const setLocaleRoute = viewerProcedure
  .input(ZSetLocaleRequestSchema)
  .output(z.void())
  .mutation(async ({ ctx, input }) => {
    requireAccount(ctx.principal);
    await ctx.runtime.accounts.setLocale(ctx.principal.userId, input.locale);
  });
