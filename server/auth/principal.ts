import type { IncomingMessage } from "node:http";
import { parseCookies, SESSION_COOKIE } from "./session-cookie";
import type { TAccounts } from "./accounts";
import type { TPrincipal } from "./principal.types";

/**
 * Who is making a request: a bearer token (scripts) or the session cookie (browsers). A request that presents a
 * bearer token is judged by it alone.
 */
export const principalOf = async (
  accounts: TAccounts,
  req: Pick<IncomingMessage, "headers">,
): Promise<TPrincipal | null> => {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    return bearer ? accounts.authenticateToken(bearer) : null;
  }
  const session = parseCookies(req.headers.cookie)[SESSION_COOKIE];
  return session ? accounts.authenticateSession(session) : null;
};
