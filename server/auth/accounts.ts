import type { TDb } from "../db";
import type { TPrincipal } from "./principal.types";
import { createSessions, type TSessionsOptions } from "./sessions";
import { createTokens, type TTokensOptions } from "./tokens";
import { createUsers } from "./users";

export type { TPrincipal } from "./principal.types";

/**
 * Users (./users.ts), sign-in and sessions (./sessions.ts) and API tokens (./tokens.ts), as the one `accounts` the
 * tRPC context, the CLI and the tests hold. A thin composition rather than three objects on the runtime: some twenty
 * callers ask `accounts` for whatever they need, and the wiring between the rooms (a disabled user's sessions end,
 * a reset revokes the tokens, a renewed ticket goes to the session or token that presented it) is made here once.
 */
export type TAccountsOptions = { db: TDb; now?: () => Date } & Omit<TSessionsOptions, "db" | "now"> &
  Omit<TTokensOptions, "db" | "now">;

export const createAccounts = ({
  db,
  now = () => new Date(),
  tokenTicket,
  ...sessionOptions
}: TAccountsOptions) => {
  const sessions = createSessions({ db, now, ...sessionOptions });
  const tokens = createTokens({ db, now, ...(tokenTicket ? { tokenTicket } : {}) });
  const users = createUsers({ db, now, sessions, tokens });

  /**
   * The helper renewed the ticket of this principal's session or token (its admin set their own password, which
   * voids every earlier ticket): the new one is kept in place of the old.
   */
  const keepRenewedTicket = async (principal: TPrincipal, ticket: string) => {
    if (principal.sessionId) await sessions.keepRenewedTicket(principal.sessionId, ticket);
    else if (principal.tokenId !== undefined) await tokens.keepRenewedTicket(principal.tokenId, ticket);
  };

  return {
    countUsers: users.countUsers,
    createUser: users.createUser,
    listUsers: users.listUsers,
    setRole: users.setRole,
    setDisabled: users.setDisabled,
    setPassword: users.setPassword,
    changeOwnPassword: users.changeOwnPassword,
    setLocale: users.setLocale,
    userByName: users.userByName,
    signIn: sessions.signIn,
    startSession: sessions.startSession,
    ticketFor: sessions.ticketFor,
    authenticateSession: sessions.authenticateSession,
    endSession: sessions.endSession,
    listSessions: sessions.listSessions,
    revokeSession: sessions.revokeSession,
    createApiToken: tokens.createApiToken,
    listApiTokens: tokens.listApiTokens,
    revokeApiToken: tokens.revokeApiToken,
    authenticateToken: tokens.authenticateToken,
    keepRenewedTicket,
  };
};

export type TAccounts = ReturnType<typeof createAccounts>;
