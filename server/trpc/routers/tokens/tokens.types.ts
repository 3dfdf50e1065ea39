import { z } from "zod";
import { ZRole } from "../../../auth/roles";
import { says } from "../../../schemas/issue-words";

export const ZCreateTokenRequestSchema = z
  .object({
    name: z
      .string(says("validation.tokens.name"))
      .trim()
      .min(1, says("validation.tokens.name"))
      .max(64, says("validation.text.atMost", { max: 64 }))
      .regex(/^[\p{L}\p{N} ._-]+$/u, says("validation.tokens.nameCharacters")),
    role: ZRole,
    expiresDays: z
      .number()
      .int()
      .min(1, says("validation.tokens.atLeastDay"))
      .max(3650, says("validation.tokens.atMostDays"))
      .optional(),
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
