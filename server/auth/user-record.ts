import type { TDb } from "../db";
import { toRole } from "./roles";

/**
 * A user's row as the rooms of auth read it: looked up by name (the users room, and the sessions room at sign-in),
 * and shown without its password's hash. Its own module so that sessions need not import the users room, which
 * asks the sessions room to end a user's sessions (no circle between the two).
 */

/** A user by name (sign-in looks users up this way too), or null. */
export const findUserByName = (db: TDb, username: string) => db.user.findUnique({ where: { username } });

/** A user as the API shows it: never the password's hash. */
export const publicUser = (user: {
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
