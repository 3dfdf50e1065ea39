import { requireAccount } from "../../../auth/local-principal";
import { viewerProcedure } from "../../procedures";
import { ZCreateTokenRequestSchema, ZCreateTokenResponseSchema } from "./tokens.types";

/** A personal token, with a role no higher than its owner's. */
export const createTokenRoute = viewerProcedure
  .input(ZCreateTokenRequestSchema)
  .output(ZCreateTokenResponseSchema)
  .mutation(({ ctx, input }) => {
    requireAccount(ctx.principal);
    return ctx.runtime.accounts.createApiToken(ctx.principal, input);
  });
