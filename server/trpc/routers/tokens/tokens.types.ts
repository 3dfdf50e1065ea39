import { z } from "zod";
import { ZRole } from "../../../auth/roles";

export const ZCreateTokenRequestSchema = z
  .object({
    name: z
      .string({ message: "Name the token" })
      .trim()
      .min(1, "Name the token")
      .max(64, "Use at most 64 characters")
      .regex(/^[\p{L}\p{N} ._-]+$/u, "Use letters, digits, spaces, '.', '_' and '-'"),
    role: ZRole,
    expiresDays: z.number().int().min(1, "At least 1 day").max(3650, "At most 3650 days").optional(),
  })
  .strict();

/** The token itself is in this answer only: it is stored hashed and cannot be shown again. */
export const ZCreateTokenResponseSchema = z.object({ id: z.number(), token: z.string() });

export const ZListTokensRequestSchema = z.object({ isAllUsers: z.boolean().optional() }).strict().optional();

export const ZTokenSchema = z.object({
  id: z.number(),
  name: z.string(),
  role: ZRole,
  prefix: z.string(),
  owner: z.string(),
  createdAt: z.date(),
  expiresAt: z.date().nullable(),
  lastUsedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
});

export const ZRevokeTokenRequestSchema = z.object({ id: z.number().int().positive() }).strict();
