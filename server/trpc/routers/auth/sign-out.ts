import { z } from "zod";
import { clearedSessionCookie } from "../../../auth/session-cookie";
import { viewerProcedure } from "../../procedures";

export const signOutRoute = viewerProcedure.output(z.void()).mutation(async ({ ctx }) => {
  if (ctx.principal.sessionId) await ctx.runtime.accounts.endSession(ctx.principal.sessionId);
  ctx.setCookie(clearedSessionCookie(ctx.runtime.settings.tls !== null));
});
