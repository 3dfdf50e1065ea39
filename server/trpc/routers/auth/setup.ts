import { AppError, said } from "../../../errors";
import { removeSetupTokenFile } from "../../../auth/setup-token";
import { sessionCookie } from "../../../auth/session-cookie";
import { publicProcedure } from "../../procedures";
import { ZSessionUserSchema, ZSetupRequestSchema } from "./auth.types";

/** First run: the holder of the setup link creates the first admin, and is signed in as them. */
export const setupRoute = publicProcedure
  .input(ZSetupRequestSchema)
  .output(ZSessionUserSchema)
  .mutation(async ({ ctx, input }) => {
    const { accounts, setup } = ctx.runtime;
    if ((await accounts.countUsers()) > 0 || !setup.token) {
      throw new AppError("PRECONDITION_FAILED", said("alreadySetUp"));
    }
    setup.token.consume(input.token);
    setup.token = null;
    await removeSetupTokenFile(ctx.runtime.settings.webDir);
    const user = await accounts.createUser({
      username: input.username,
      password: input.password,
      role: "admin",
    });
    const session = await accounts.startSession(user.id, {
      userAgent: ctx.userAgent,
      clientAddress: ctx.clientAddress,
      // The helper enrols the first admin (it knows none yet) and vouches for this session.
      ticket: (binding) => accounts.ticketFor(user, input.password, binding),
    });
    ctx.audit.actor = user.username;
    ctx.audit.via = "session";
    ctx.setCookie(sessionCookie(session.token, session.expiresAt, ctx.runtime.settings.tls !== null));
    return { username: user.username, role: user.role, via: "session" as const };
  });
