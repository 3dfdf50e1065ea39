import { AppError } from "../errors";
import type { TDb } from "../db";
import { SignInThrottle } from "./rate-limit";
import { isAtLeast, lowerOf, toRole, type TRole } from "./roles";
import {
  burnPasswordCheck,
  hashPassword,
  hashSecret,
  newSecret,
  presentTicket,
  verifyPassword,
} from "./secrets";

/**
 * Users, sign-in, sessions and API tokens on the database. Domain code: no tRPC, no HTTP. The CLI uses it too.
 */
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

export type TAccountsOptions = {
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
  /** The helper's ticket for a new admin token (bound to its secret's hash), made with its maker's presented ticket. */
  tokenTicket?: (presented: string, binding: string) => Promise<string | null>;
};

const DAY = 24 * 60 * 60 * 1000;
const TOUCH_EVERY_MS = 60_000;
const GENERIC_LOGIN_ERROR = "Wrong username or password";

export const createAccounts = ({
  db,
  sessionIdleDays = 7,
  sessionMaxDays = 30,
  now = () => new Date(),
  adminTicket,
  tokenTicket,
}: TAccountsOptions) => {
  const throttle = new SignInThrottle();

  const userByName = (username: string) => db.user.findUnique({ where: { username } });

  const publicUser = (user: {
    id: number;
    username: string;
    role: string;
    disabled: boolean;
    createdAt: Date;
  }) => ({
    id: user.id,
    username: user.username,
    role: toRole(user.role),
    disabled: user.disabled,
    createdAt: user.createdAt,
  });

  const countUsers = () => db.user.count();

  const createUser = async (input: { username: string; password: string; role: TRole }) => {
    if (await userByName(input.username)) {
      throw new AppError("CONFLICT", {
        message: `A user named "${input.username}" already exists`,
        field: "username",
      });
    }
    const user = await db.user.create({
      data: { username: input.username, role: input.role, passwordHash: await hashPassword(input.password) },
    });
    return publicUser(user);
  };

  const requireUser = async (id: number) => {
    const user = await db.user.findUnique({ where: { id } });
    if (!user) throw new AppError("NOT_FOUND", { message: `There is no user with id ${id}` });
    return user;
  };

  const listUsers = async () => (await db.user.findMany({ orderBy: { username: "asc" } })).map(publicUser);

  /** The last enabled admin cannot lose the role or be disabled: someone must be able to manage users. */
  const keepAnAdmin = async (userId: number) => {
    const admins = await db.user.count({ where: { role: "admin", disabled: false, id: { not: userId } } });
    if (admins === 0) {
      throw new AppError("PRECONDITION_FAILED", {
        message: "This is the last enabled admin",
        hint: "Make another user an admin first.",
      });
    }
  };

  const setRole = async (userId: number, role: TRole) => {
    const user = await requireUser(userId);
    if (user.role === "admin" && role !== "admin") await keepAnAdmin(userId);
    return publicUser(await db.user.update({ where: { id: userId }, data: { role } }));
  };

  const setDisabled = async (userId: number, disabled: boolean) => {
    const user = await requireUser(userId);
    if (disabled && user.role === "admin") await keepAnAdmin(userId);
    const updated = await db.user.update({ where: { id: userId }, data: { disabled } });
    if (disabled) await db.session.deleteMany({ where: { userId } });
    return publicUser(updated);
  };

  /**
   * Sets a new password and ends the user's sessions (all, or all but `keepSessionId`). A reset (by an admin or
   * root, not the user's own change) also revokes the user's API tokens: whoever knew the old password may have
   * made one.
   */
  const setPassword = async (
    userId: number,
    password: string,
    options: { keepSessionId?: string; isReset?: boolean } = { isReset: true },
  ) => {
    await requireUser(userId);
    await db.user.update({
      where: { id: userId },
      data: { passwordHash: await hashPassword(password), passwordChangedAt: now() },
    });
    await db.session.deleteMany({
      where: { userId, ...(options.keepSessionId ? { id: { not: options.keepSessionId } } : {}) },
    });
    if (options.isReset)
      await db.apiToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now() } });
  };

  const changeOwnPassword = async (principal: TPrincipal, current: string, next: string) => {
    const user = await requireUser(principal.userId);
    if (!(await verifyPassword(user.passwordHash, current))) {
      throw new AppError("BAD_REQUEST", {
        message: "The current password is wrong",
        field: "currentPassword",
      });
    }
    await setPassword(user.id, next, {
      ...(principal.sessionId ? { keepSessionId: principal.sessionId } : {}),
      isReset: false,
    });
  };

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
    const adminTicket = meta.ticket ? await meta.ticket(hashSecret(token)) : null;
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
        adminTicket,
      },
    });
    return { token, expiresAt: session.expiresAt };
  };

  const tooMany = (seconds: number) =>
    new AppError("TOO_MANY_REQUESTS", {
      message: `Too many failed sign-ins: try again in ${seconds} s`,
      hint: "Wait, then check the username and password.",
    });

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

    const user = await userByName(accountKey);
    const isValid = user
      ? await verifyPassword(user.passwordHash, input.password)
      : (await burnPasswordCheck(input.password), false);
    if (!user || !isValid || user.disabled) {
      throw new AppError("UNAUTHORIZED", {
        message: GENERIC_LOGIN_ERROR,
        hint: "Check the username and password.",
      });
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
      ...(session.adminTicket ? { adminTicket: presentTicket(session.adminTicket, token) } : {}),
    };
  };

  const endSession = (sessionId: string) => db.session.deleteMany({ where: { id: sessionId } });

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
    if (count === 0) throw new AppError("NOT_FOUND", { message: "No such session" });
  };

  /**
   * A new API token. An admin token acts for the admin in the helper too, with a ticket of its own bound to its
   * secret: the helper's, made from its maker's presented ticket (no later expiry), or `ticketFor`'s (root's, from
   * the CLI).
   */
  const createApiToken = async (
    owner: {
      userId: number;
      role: TRole;
      tokenId?: number | undefined;
      adminTicket?: string | undefined;
      ticketFor?: ((binding: string) => Promise<string | null>) | undefined;
    },
    input: { name: string; role: TRole; expiresDays?: number | undefined },
  ) => {
    if (!isAtLeast(owner.role, input.role)) {
      throw new AppError("FORBIDDEN", {
        message: `A token cannot have a higher role than its owner (${owner.role})`,
        field: "role",
      });
    }
    // A token may mint tokens, never one that outlives it.
    if (owner.tokenId !== undefined) {
      const parent = await db.apiToken.findUnique({ where: { id: owner.tokenId } });
      const requested = input.expiresDays ? now().getTime() + input.expiresDays * DAY : Infinity;
      if (parent?.expiresAt && requested > parent.expiresAt.getTime())
        throw new AppError("FORBIDDEN", {
          message: `A token made with a token cannot outlive it (this one expires ${parent.expiresAt.toISOString()})`,
          hint: "Choose fewer days, or create the token from a signed-in session.",
          field: "expiresDays",
        });
    }
    const token = newSecret("t");
    const binding = hashSecret(token);
    const ticket =
      input.role !== "admin"
        ? null
        : owner.ticketFor
          ? await owner.ticketFor(binding)
          : owner.adminTicket && tokenTicket
            ? await tokenTicket(owner.adminTicket, binding).catch(() => null)
            : null;
    const record = await db.apiToken.create({
      data: {
        userId: owner.userId,
        name: input.name,
        role: input.role,
        tokenHash: binding,
        prefix: token.slice(0, 12),
        expiresAt: input.expiresDays ? new Date(now().getTime() + input.expiresDays * DAY) : null,
        adminTicket: ticket,
      },
    });
    return { token, id: record.id };
  };

  const listApiTokens = (where: { userId?: number }) =>
    db.apiToken.findMany({
      where,
      orderBy: { createdAt: "desc" },
      select: {
        id: true,
        name: true,
        role: true,
        prefix: true,
        createdAt: true,
        expiresAt: true,
        lastUsedAt: true,
        revokedAt: true,
        user: { select: { username: true } },
      },
    });

  /** Revokes a token; `ownerId` limits it to that user's tokens (admins pass none). */
  const revokeApiToken = async (id: number, ownerId?: number) => {
    const { count } = await db.apiToken.updateMany({
      where: { id, revokedAt: null, ...(ownerId === undefined ? {} : { userId: ownerId }) },
      data: { revokedAt: now() },
    });
    if (count === 0) throw new AppError("NOT_FOUND", { message: `No active token with id ${id}` });
  };

  /** The principal of a bearer token, or null. The token acts with the lower of its role and its owner's. */
  const authenticateToken = async (token: string): Promise<TPrincipal | null> => {
    if (!token.startsWith("atl_t_")) return null;
    const record = await db.apiToken.findUnique({
      where: { tokenHash: hashSecret(token) },
      include: { user: true },
    });
    const at = now();
    if (!record || record.revokedAt || record.user.disabled || (record.expiresAt && record.expiresAt <= at))
      return null;
    if (!record.lastUsedAt || at.getTime() - record.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
      await db.apiToken.update({ where: { id: record.id }, data: { lastUsedAt: at } }).catch(() => undefined);
    }
    return {
      userId: record.userId,
      username: record.user.username,
      role: lowerOf(toRole(record.role), toRole(record.user.role)),
      via: "token",
      tokenId: record.id,
      ...(record.adminTicket && record.role === "admin"
        ? { adminTicket: presentTicket(record.adminTicket, token) }
        : {}),
    };
  };

  /**
   * The helper renewed the ticket of this principal's session or token (its admin set their own password, which
   * voids every earlier ticket): the new one is kept in place of the old.
   */
  const keepRenewedTicket = async (principal: TPrincipal, ticket: string) => {
    if (principal.sessionId)
      await db.session.updateMany({ where: { id: principal.sessionId }, data: { adminTicket: ticket } });
    else if (principal.tokenId !== undefined)
      await db.apiToken.updateMany({ where: { id: principal.tokenId }, data: { adminTicket: ticket } });
  };

  return {
    countUsers,
    createUser,
    listUsers,
    setRole,
    setDisabled,
    setPassword,
    changeOwnPassword,
    signIn,
    startSession,
    ticketFor,
    authenticateSession,
    endSession,
    listSessions,
    revokeSession,
    createApiToken,
    listApiTokens,
    revokeApiToken,
    authenticateToken,
    keepRenewedTicket,
    userByName,
  };
};

export type TAccounts = ReturnType<typeof createAccounts>;
