import { AppError, said } from "../errors";
import type { TDb } from "../db";
import type { TPrincipal } from "./principal.types";
import { isAtLeast, lowerOf, toRole, type TRole } from "./roles";
import { hashSecret, newSecret, presentTicket } from "./secrets";

/**
 * API tokens for scripts: a bearer secret, stored only as its hash, with a role no higher than its owner's and an
 * optional expiry; an admin token carries a helper ticket of its own. Domain code: no tRPC, no HTTP.
 */
export type TTokensOptions = {
  db: TDb;
  now?: () => Date;
  /** The helper's ticket for a new admin token (bound to its secret's hash), made with its maker's presented ticket. */
  tokenTicket?: (presented: string, binding: string) => Promise<string | null>;
};

const DAY = 24 * 60 * 60 * 1000;
/** A token's last use is written at most this often (a request each time would be a write each time). */
const TOUCH_EVERY_MS = 60_000;

export const createTokens = ({ db, now = () => new Date(), tokenTicket }: TTokensOptions) => {
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
      throw new AppError("FORBIDDEN", { ...said("tokenRoleTooHigh", { role: owner.role }), field: "role" });
    }
    // A token may mint tokens, never one that outlives it.
    if (owner.tokenId !== undefined) {
      const parent = await db.apiToken.findUnique({ where: { id: owner.tokenId } });
      const requested = input.expiresDays ? now().getTime() + input.expiresDays * DAY : Infinity;
      if (parent?.expiresAt && requested > parent.expiresAt.getTime())
        throw new AppError("FORBIDDEN", {
          ...said("tokenOutlivesParent", { expiresAt: parent.expiresAt.toISOString() }),
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
    if (count === 0) throw new AppError("NOT_FOUND", said("tokenNotFound", { id }));
  };

  /** Revokes every active token of a user (their password was reset). */
  const revokeAllOf = async (userId: number) => {
    await db.apiToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now() } });
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

  /** The helper renewed this token's ticket (its admin set their own password): the new one replaces the old. */
  const keepRenewedTicket = async (tokenId: number, ticket: string) => {
    await db.apiToken.updateMany({ where: { id: tokenId }, data: { adminTicket: ticket } });
  };

  return {
    createApiToken,
    listApiTokens,
    revokeApiToken,
    revokeAllOf,
    authenticateToken,
    keepRenewedTicket,
  };
};

export type TTokens = ReturnType<typeof createTokens>;
