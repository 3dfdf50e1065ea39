import { isAppError } from "../../../errors";
import { sessionCookie } from "../../../auth/session-cookie";
import { publicProcedure } from "../../procedures";
import { ZSessionUserSchema, ZSignInRequestSchema } from "./auth.types";

export const signInRoute = publicProcedure
  .input(ZSignInRequestSchema)
  .output(ZSessionUserSchema)
  .mutation(async ({ ctx, input }) => {
    const { token, expiresAt, user } = await ctx.runtime.accounts
      .signIn({ ...input, userAgent: ctx.userAgent, clientAddress: ctx.clientAddress })
      .catch(async (error: unknown) => {
        // A password checked and found wrong for a real account is its own audit row; a throttled attempt, or one
        // for a name that is no account, is a stranger's refusal like any other (counted; its text never kept).
        const known = await ctx.runtime.accounts.userByName(input.username.toLowerCase());
        if (known && isAppError(error) && error.code === "UNAUTHORIZED") ctx.audit.actor = known.username;
        throw error;
      });
    ctx.audit.actor = user.username;
    ctx.audit.via = "session";
    ctx.setCookie(sessionCookie(token, expiresAt, ctx.runtime.settings.tls !== null));
    return { username: user.username, role: user.role, via: "session" as const };
  });
