import { AppError, said } from "../errors";
import { isLocale } from "../i18n/locales";
import type { TDb } from "../db";
import type { TPrincipal } from "./principal.types";
import { SignInThrottle } from "./rate-limit";
import { toRole } from "./roles";
import { burnPasswordCheck, hashSecret, newSecret, presentTicket, verifyPassword } from "./secrets";
import { findUserByName, publicUser } from "./user-record";

/**
 * Sign-in and the browser sessions it starts: a cookie's secret, stored only as its hash, that ends after idle days
 * and at a maximum age; an admin's session carries the helper's ticket. Domain code: no tRPC, no HTTP.
 */
export type TSessionsOptions = {
  db: TDb;
  /** Idle time after which a session ends; each use extends it, up to `sessionMaxDays` after sign-in. */
  sessionIdleDays?: number;
  sessionMaxDays?: number;
  now?: () => Date;
  /**
   * The helper's check of an admin's password at sign-in: a ticket bound to `binding` (the SHA-256 of the new
   * session's secret), until the given time or the helper's own limit (12 h) if sooner; or null (not the password
   * the helper knows, or no helper: the CLI).
   */
  adminTicket?: (
    username: string,
    password: string,
    binding: string,
    expiresAt: Date,
  ) => Promise<string | null>;
};

const DAY = 24 * 60 * 60 * 1000;
/** A session's last use is written at most this often (a request each time would be a write each time). */
const TOUCH_EVERY_MS = 60_000;

export const createSessions = ({
  db,
  sessionIdleDays = 7,
  sessionMaxDays = 30,
  now = () => new Date(),
  adminTicket,
}: TSessionsOptions) => {
  const throttle = new SignInThrottle();

  /**
   * An admin's ticket from the helper for a session starting now, bound to that session's secret (`binding`, its
   * hash); null when the helper does not vouch. The helper ends it after 12 h at most: the session lives on, and
   * admin-only work then needs a fresh sign-in.
   */
  const ticketFor = async (user: { username: string; role: string }, password: string, binding: string) => {
    if (user.role !== "admin" || !adminTicket) return null;
    const until = new Date(now().getTime() + sessionMaxDays * DAY);
    return adminTicket(user.username, password, binding, until).catch(() => null);
  };

  const startSession = async (
    userId: number,
    meta: {
      userAgent?: string | null;
      clientAddress?: string | null;
      /** The helper's ticket for this session, given the hash of its secret (made here). */
      ticket?: (binding: string) => Promise<string | null>;
    },
  ) => {
    const token = newSecret("s");
    const ticket = meta.ticket ? await meta.ticket(hashSecret(token)) : null;
    const at = now();
    const session = await db.session.create({
      data: {
        id: hashSecret(token),
        userId,
        createdAt: at,
        lastSeenAt: at,
        expiresAt: new Date(at.getTime() + sessionIdleDays * DAY),
        userAgent: meta.userAgent?.slice(0, 300) ?? null,
        clientAddress: meta.clientAddress ?? null,
        adminTicket: ticket,
      },
    });
    return { token, expiresAt: session.expiresAt };
  };

  const tooMany = (seconds: number) => new AppError("TOO_MANY_REQUESTS", said("tooManySignIns", { seconds }));

  /** Checks a username and password (rate limited per account and per client address) and starts a session. */
  const signIn = async (input: {
    username: string;
    password: string;
    userAgent?: string | null;
    clientAddress?: string | null;
  }) => {
    const accountKey = input.username.toLowerCase();
    const addressKey = input.clientAddress ?? "unknown";
    const wait = throttle.retryAfterSeconds(accountKey, addressKey);
    if (wait > 0) throw tooMany(wait);
    // Counted now, before any await: concurrent guesses see each other.
    throttle.begin(accountKey, addressKey);

    const user = await findUserByName(db, accountKey);
    const isValid = user
      ? await verifyPassword(user.passwordHash, input.password)
      : (await burnPasswordCheck(input.password), false);
    if (!user || !isValid || user.disabled) {
      throw new AppError("UNAUTHORIZED", said("wrongCredentials"));
    }
    throttle.succeeded(accountKey, addressKey);
    const session = await startSession(user.id, {
      userAgent: input.userAgent ?? null,
      clientAddress: input.clientAddress ?? null,
      ticket: (binding) => ticketFor(user, input.password, binding),
    });
    return { ...session, user: publicUser(user) };
  };

  /** The principal of a session cookie, or null. Extends the session (sliding, up to the maximum age). */
  const authenticateSession = async (token: string): Promise<TPrincipal | null> => {
    const session = await db.session.findUnique({
      where: { id: hashSecret(token) },
      include: { user: true },
    });
    const at = now();
    if (!session || session.user.disabled) return null;
    if (session.expiresAt <= at || session.createdAt.getTime() + sessionMaxDays * DAY <= at.getTime()) {
      await db.session.delete({ where: { id: session.id } }).catch(() => undefined);
      return null;
    }
    if (at.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
      const expiresAt = new Date(
        Math.min(at.getTime() + sessionIdleDays * DAY, session.createdAt.getTime() + sessionMaxDays * DAY),
      );
      await db.session
        .update({ where: { id: session.id }, data: { lastSeenAt: at, expiresAt } })
        .catch(() => undefined);
    }
    return {
      userId: session.userId,
      username: session.user.username,
      role: toRole(session.user.role),
      via: "session",
      sessionId: session.id,
      ...(isLocale(session.user.locale) ? { locale: session.user.locale } : {}),
      ...(session.adminTicket ? { adminTicket: presentTicket(session.adminTicket, token) } : {}),
    };
  };

  const endSession = (sessionId: string) => db.session.deleteMany({ where: { id: sessionId } });

  /** Ends every session of a user, or all but `exceptId` (the one that changed its own password). */
  const endAllOf = async (userId: number, exceptId?: string) => {
    await db.session.deleteMany({ where: { userId, ...(exceptId ? { id: { not: exceptId } } : {}) } });
  };

  const listSessions = (userId: number) =>
    db.session.findMany({
      where: { userId, expiresAt: { gt: now() } },
      orderBy: { lastSeenAt: "desc" },
      select: {
        id: true,
        createdAt: true,
        lastSeenAt: true,
        expiresAt: true,
        userAgent: true,
        clientAddress: true,
      },
    });

  const revokeSession = async (userId: number, sessionId: string) => {
    const { count } = await db.session.deleteMany({ where: { id: sessionId, userId } });
    if (count === 0) throw new AppError("NOT_FOUND", said("sessionNotFound"));
  };

  /** The helper renewed this session's ticket (its admin set their own password): the new one replaces the old. */
  const keepRenewedTicket = async (sessionId: string, ticket: string) => {
    await db.session.updateMany({ where: { id: sessionId }, data: { adminTicket: ticket } });
  };

  return {
    signIn,
    startSession,
    ticketFor,
    authenticateSession,
    endSession,
    endAllOf,
    listSessions,
    revokeSession,
    keepRenewedTicket,
  };
};

export type TSessions = ReturnType<typeof createSessions>;
