import type { TRole } from "./roles";

/** Who makes a request, as a session (./sessions.ts) or an API token (./tokens.ts) says. */
export type TPrincipal = {
  userId: number;
  username: string;
  role: TRole;
  via: "session" | "token";
  sessionId?: string;
  tokenId?: number;
  /**
   * The helper's ticket for an admin's session or token (server/helper/admins.ts), as a call presents it: the stored
   * ticket with this request's own secret (presentTicket), in memory only. What admin-only lines and the host's
   * network need.
   */
  adminTicket?: string;
};
