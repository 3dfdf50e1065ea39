import type { IncomingMessage } from "node:http";
import { parseCookies, SESSION_COOKIE } from "./session-cookie";
import type { TAccounts } from "./accounts";
import { isLocalConnection, localPrincipal } from "./local-principal";
import type { TPrincipal } from "./principal.types";

/**
 * Who is making a request: a bearer token (scripts) or the session cookie (browsers). A request that presents a
 * bearer token is judged by it alone. Without one, a request on the local socket is root on the host (a cookie
 * there is ignored: nothing but the CLI talks on it).
 */
export const principalOf = async (
  accounts: TAccounts,
  req: Pick<IncomingMessage, "headers"> & { socket?: unknown },
): Promise<TPrincipal | null> => {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    return bearer ? accounts.authenticateToken(bearer) : null;
  }
  if (isLocalConnection(req.socket)) return localPrincipal();
  const session = parseCookies(req.headers.cookie)[SESSION_COOKIE];
  return session ? accounts.authenticateSession(session) : null;
};
