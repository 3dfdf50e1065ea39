import type { TLocale } from "../i18n/locales";
import { AppError, said } from "../errors";
import type { TDb } from "../db";
import type { TPrincipal } from "./principal.types";
import type { TRole } from "./roles";
import { hashPassword, verifyPassword } from "./secrets";
import type { TSessions } from "./sessions";
import type { TTokens } from "./tokens";
import { findUserByName, publicUser } from "./user-record";

/**
 * The users: who exists, their role, whether they may sign in, their password. Their sessions and tokens are the
 * other rooms' (./sessions.ts, ./tokens.ts); a change here that must end them asks those rooms to.
 */
export type TUsersOptions = {
  db: TDb;
  now?: () => Date;
  /** A disabled user's sessions end, and a new password ends the others. */
  sessions: Pick<TSessions, "endAllOf">;
  /** A password reset revokes the user's tokens. */
  tokens: Pick<TTokens, "revokeAllOf">;
};

export const createUsers = ({ db, now = () => new Date(), sessions, tokens }: TUsersOptions) => {
  const userByName = (username: string) => findUserByName(db, username);

  const countUsers = () => db.user.count();

  const createUser = async (input: { username: string; password: string; role: TRole }) => {
    if (await userByName(input.username)) {
      throw new AppError("CONFLICT", {
        ...said("userNameTaken", { username: input.username }),
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
    if (!user) throw new AppError("NOT_FOUND", said("userNotFound", { id }));
    return user;
  };

  const listUsers = async () => (await db.user.findMany({ orderBy: { username: "asc" } })).map(publicUser);

  /** The last enabled admin cannot lose the role or be disabled: someone must be able to manage users. */
  const keepAnAdmin = async (userId: number) => {
    const admins = await db.user.count({ where: { role: "admin", disabled: false, id: { not: userId } } });
    if (admins === 0) {
      throw new AppError("PRECONDITION_FAILED", said("lastAdmin"));
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
    if (disabled) await sessions.endAllOf(userId);
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
    await sessions.endAllOf(userId, options.keepSessionId);
    if (options.isReset) await tokens.revokeAllOf(userId);
  };

  const changeOwnPassword = async (principal: TPrincipal, current: string, next: string) => {
    const user = await requireUser(principal.userId);
    if (!(await verifyPassword(user.passwordHash, current))) {
      throw new AppError("BAD_REQUEST", { ...said("currentPasswordWrong"), field: "currentPassword" });
    }
    await setPassword(user.id, next, {
      ...(principal.sessionId ? { keepSessionId: principal.sessionId } : {}),
      isReset: false,
    });
  };

  /** The language the user chose for the pages; null goes back to following the browser. */
  const setLocale = async (userId: number, locale: TLocale | null) => {
    await db.user.update({ where: { id: userId }, data: { locale } });
  };

  return {
    setLocale,
    countUsers,
    createUser,
    listUsers,
    setRole,
    setDisabled,
    setPassword,
    changeOwnPassword,
    userByName,
  };
};

export type TUsers = ReturnType<typeof createUsers>;
