import { z } from "zod";
import { isAtLeast } from "../../../auth/roles";
import { viewerProcedure } from "../../procedures";
import { ZRevokeTokenRequestSchema } from "./tokens.types";

/** Revokes one of one's own tokens; admins may revoke anyone's. */
export const revokeTokenRoute = viewerProcedure
  .input(ZRevokeTokenRequestSchema)
  .output(z.void())
  .mutation(async ({ ctx, input }) => {
    const isAdmin = isAtLeast(ctx.principal.role, "admin");
    await ctx.runtime.accounts.revokeApiToken(input.id, isAdmin ? undefined : ctx.principal.userId);
  });
