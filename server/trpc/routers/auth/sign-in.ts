import { sessionCookie } from "../../../http/cookies";
import { publicProcedure } from "../../procedures";
import { ZSessionUserSchema, ZSignInRequestSchema } from "./auth.types";

export const signInRoute = publicProcedure
  .input(ZSignInRequestSchema)
  .output(ZSessionUserSchema)
  .mutation(async ({ ctx, input }) => {
    ctx.audit.actor = input.username;
    const { token, expiresAt, user } = await ctx.runtime.accounts.signIn({
      ...input,
      userAgent: ctx.userAgent,
      clientAddress: ctx.clientAddress,
    });
    ctx.audit.via = "session";
    ctx.setCookie(sessionCookie(token, expiresAt, ctx.runtime.settings.tls !== null));
    return { username: user.username, role: user.role, via: "session" as const };
  });
