import { z } from "zod";
import { LOCALES } from "../../../i18n/locales";
import { ZNewPassword, ZPassword, ZUsername } from "../../../schemas/credentials";
import { says } from "../../../schemas/issue-words";
import { ZRole } from "../../../auth/roles";

export const ZSignInRequestSchema = z.object({ username: ZUsername, password: ZPassword }).strict();

export const ZSetupRequestSchema = z
  .object({
    token: z.string().min(1, says("validation.credentials.setupToken")).max(200),
    username: ZUsername,
    password: ZNewPassword,
  })
  .strict();

export const ZSessionUserSchema = z.object({
  username: z.string(),
  role: ZRole,
  via: z.enum(["session", "token", "local"]),
  /** The language the user chose; null: the browser's Accept-Language decides. */
  locale: z.enum(LOCALES).nullable().default(null),
});

export const ZAuthStatusResponseSchema = z.object({
  /** No user exists yet: the first admin is created through the setup link printed in the server's log. */
  isSetupRequired: z.boolean(),
  user: ZSessionUserSchema.nullable(),
});
