import { z } from "zod";
import { says } from "../schemas/issue-words";

/** viewer: read everything except secrets; operator: + containers; admin: + users, others' tokens, host settings. */
export const ROLES = ["viewer", "operator", "admin"] as const;
export const ZRole = z.enum(ROLES, says("validation.users.role"));
export type TRole = z.infer<typeof ZRole>;

const rank: Record<TRole, number> = { viewer: 1, operator: 2, admin: 3 };

export const isAtLeast = (role: TRole, minimum: TRole) => rank[role] >= rank[minimum];
export const lowerOf = (a: TRole, b: TRole): TRole => (rank[a] <= rank[b] ? a : b);
export const toRole = (value: string): TRole =>
  (ROLES as readonly string[]).includes(value) ? (value as TRole) : "viewer";

/**
 * Who asks for a change: the audit's actor, the role that decides what they may write, and for an admin the
 * helper saw sign in, its ticket (admin-only config lines need it).
 */
export type TActor = { username: string; role: TRole; adminTicket?: string };
