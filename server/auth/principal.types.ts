import type { TLocale } from "../i18n/locales";
import type { TRole } from "./roles";

/**
 * Who makes a request, as a session (./sessions.ts) or an API token (./tokens.ts) says, or root on the host through
 * the local socket (./local-principal.ts: userId 0, no account).
 */
export type TPrincipal = {
  userId: number;
  username: string;
  role: TRole;
  via: "session" | "token" | "local";
  sessionId?: string;
  tokenId?: number;
  /** The language the user chose for the pages; absent, the browser's Accept-Language decides. */
  locale?: TLocale;
  /**
   * The helper's ticket for an admin's session or token (server/helper/admins.ts), as a call presents it: the stored
   * ticket with this request's own secret (presentTicket), in memory only. What admin-only lines and the host's
   * network need.
   */
  adminTicket?: string;
};
