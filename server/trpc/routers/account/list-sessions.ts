import { z } from "zod";
import { viewerProcedure } from "../../procedures";
import { ZSessionSchema } from "./account.types";

export const listSessionsRoute = viewerProcedure.output(z.array(ZSessionSchema)).query(async ({ ctx }) =>
  (await ctx.runtime.accounts.listSessions(ctx.principal.userId)).map((session) => ({
    ...session,
    isCurrent: session.id === ctx.principal.sessionId,
  })),
);
