import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { TPrincipal } from "../auth/principal.types";

/**
 * One-time tickets for the console WebSocket (/api/console?ticket=…). A browser's WebSocket cannot send headers, and
 * a cookie alone would let any page that can reach the server open a socket in the user's name (the Origin check
 * stops browsers, not scripts): the ticket proves that the same sign-in asked for this terminal moments before.
 *
 * A ticket is 32 random bytes; the server keeps only its SHA-256. It is taken (deleted) by its first use, right or
 * wrong, and lasts TICKET_MS. It is bound to the sign-in that asked for it (the session, or the API token) and to the
 * container: an upgrade by anyone else, or naming another container, is refused.
 */
export const TICKET_MS = 30_000;
const MAX_TICKETS = 10_000;
/** Live tickets of one sign-in: asking for more drops its oldest (an exec ticket holds its command's arguments). */
const MAX_TICKETS_PER_SIGN_IN = 20;

export type TTicketPurpose<T> = { name: string; purpose: T };

type TBinding = { userId: number; signIn: string };
type TStored<T> = TTicketPurpose<T> & TBinding & { expiresAt: number };

const hash = (ticket: string) => createHash("sha256").update(ticket).digest();
const signInOf = (principal: TPrincipal) =>
  principal.via === "session"
    ? `session:${principal.sessionId ?? ""}`
    : principal.via === "local"
      ? "local:"
      : `token:${principal.tokenId ?? ""}`;

export const createTickets = <T>(now: () => number = Date.now) => {
  const tickets = new Map<string, TStored<T>>();
  const prune = () => {
    const time = now();
    for (const [key, stored] of tickets) if (stored.expiresAt <= time) tickets.delete(key);
  };
  return {
    issue: (principal: TPrincipal, name: string, purpose: T) => {
      prune();
      // A flood of unused tickets is bounded: the oldest go first.
      while (tickets.size >= MAX_TICKETS) tickets.delete(tickets.keys().next().value as string);
      const signIn = signInOf(principal);
      const own = [...tickets].filter(([, stored]) => stored.signIn === signIn);
      for (const [key] of own.slice(0, Math.max(0, own.length - MAX_TICKETS_PER_SIGN_IN + 1)))
        tickets.delete(key);
      const ticket = randomBytes(32).toString("base64url");
      tickets.set(hash(ticket).toString("hex"), {
        name,
        purpose,
        userId: principal.userId,
        signIn,
        expiresAt: now() + TICKET_MS,
      });
      return ticket;
    },
    /**
     * The ticket's purpose, when it is one this server issued, unexpired, to this principal's sign-in, for `name`
     * (when the upgrade names one); else null. Used up either way.
     */
    take: (ticket: string, principal: TPrincipal, name: string | null): TTicketPurpose<T> | null => {
      if (!/^[A-Za-z0-9_-]{43}$/.test(ticket)) return null;
      const key = hash(ticket).toString("hex");
      const stored = tickets.get(key);
      if (!stored) return null;
      tickets.delete(key);
      const signIn = Buffer.from(signInOf(principal));
      const isSame =
        stored.userId === principal.userId &&
        signIn.length === Buffer.byteLength(stored.signIn) &&
        timingSafeEqual(signIn, Buffer.from(stored.signIn));
      if (!isSame || stored.expiresAt <= now() || (name !== null && name !== stored.name)) return null;
      return { name: stored.name, purpose: stored.purpose };
    },
  };
};
