import { AppError, said } from "../errors";
import type { TPrincipal } from "./principal.types";

/**
 * "Root on the host": a request that came in on the web tier's local socket (web/run/cli.sock, server/http/
 * local-socket.ts) without credentials. Only root and the web tier's own user can enter that directory, so the
 * caller is one of them: an admin, audited as `local:root`. It has no helper admin ticket (as an API token made
 * in the pages has none): admin-only config lines and the host's network stay refused by the helper.
 *
 * The mark is on the connection, set by the local server when it accepts one: nothing a client sends (a header,
 * an address) can make a network connection local.
 */
export const LOCAL_ACTOR = "local:root";

const localSockets = new WeakSet<object>();

/** Called by the local socket's server for each connection it accepts, and by nothing else. */
export const markLocalConnection = (socket: object) => {
  localSockets.add(socket);
};

export const isLocalConnection = (socket: unknown) =>
  typeof socket === "object" && socket !== null && localSockets.has(socket);

/** A fresh object each time: procedures may not share (or change) one another's principal. */
export const localPrincipal = (): TPrincipal => ({
  userId: 0,
  username: LOCAL_ACTOR,
  role: "admin",
  via: "local",
});

/**
 * What belongs to an account (its tokens, password, language) is refused to root on the host with a sentence: it has
 * no account (userId 0 is no user), and a row made for it would fail on the user's foreign key (a bare 500) or, worse,
 * stand for nobody. Root makes a user's token on the host instead (`npx atelier token create USER`).
 */
export const requireAccount = (principal: Pick<TPrincipal, "via">) => {
  if (principal.via === "local") throw new AppError("FORBIDDEN", said("localHasNoAccount"));
};
