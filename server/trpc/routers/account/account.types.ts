import { z } from "zod";
import { LOCALES } from "../../../i18n/locales";
import { ZNewPassword, ZPassword } from "../../../schemas/credentials";
import { says } from "../../../schemas/issue-words";

export const ZChangePasswordRequestSchema = z
  .object({ currentPassword: ZPassword, newPassword: ZNewPassword })
  .strict()
  .refine((input) => input.currentPassword !== input.newPassword, {
    ...says("validation.credentials.differentPassword"),
    path: ["newPassword"],
  });

/** The pages' language for this user: one of LOCALES, or null to follow the browser. */
export const ZSetLocaleRequestSchema = z.object({ locale: z.enum(LOCALES).nullable() }).strict();

export const ZSessionSchema = z.object({
  id: z.string(),
  createdAt: z.date(),
  lastSeenAt: z.date(),
  expiresAt: z.date(),
  userAgent: z.string().nullable(),
  clientAddress: z.string().nullable(),
  isCurrent: z.boolean(),
});

export const ZRevokeSessionRequestSchema = z
  .object({ id: z.string().regex(/^[0-9a-f]{64}$/, says("validation.credentials.sessionId")) })
  .strict();
