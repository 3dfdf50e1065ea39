import { z } from "zod";
import { isAtLeast, toRole } from "../../../auth/roles";
import { AppError, said } from "../../../errors";
import { viewerProcedure } from "../../procedures";
import { ZListTokensRequestSchema, ZTokenSchema } from "./tokens.types";

/** One's own tokens; admins may ask for everyone's. */
export const listTokensRoute = viewerProcedure
  .input(ZListTokensRequestSchema)
  .output(z.array(ZTokenSchema))
  .query(async ({ ctx, input }) => {
    if (input?.isAllUsers && !isAtLeast(ctx.principal.role, "admin")) {
      throw new AppError("FORBIDDEN", said("othersTokensAdminOnly"));
    }
    const tokens = await ctx.runtime.accounts.listApiTokens(
      input?.isAllUsers ? {} : { userId: ctx.principal.userId },
    );
    return tokens.map(({ user, role, ...token }) => ({ ...token, role: toRole(role), owner: user.username }));
  });
