import { z } from "zod";
import { ZNewPassword, ZUsername } from "../../../schemas/credentials";
import { says } from "../../../schemas/issue-words";
import { ZRole, type TRole } from "../../../auth/roles";

export { ZRole, type TRole };

export const ZUserSchema = z.object({
  id: z.number(),
  username: z.string(),
  role: ZRole,
  disabled: z.boolean(),
  createdAt: z.date(),
});

export const ZCreateUserRequestSchema = z
  .object({ username: ZUsername, role: ZRole, password: ZNewPassword })
  .strict();
export const ZUserIdSchema = z.number(says("validation.users.user")).int().positive();
export const ZSetRoleRequestSchema = z.object({ id: ZUserIdSchema, role: ZRole }).strict();
export const ZSetDisabledRequestSchema = z.object({ id: ZUserIdSchema, disabled: z.boolean() }).strict();
export const ZResetPasswordRequestSchema = z.object({ id: ZUserIdSchema, password: ZNewPassword }).strict();
