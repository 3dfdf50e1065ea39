import { z } from "zod";

/** Pure schemas shared by the API and the forms. */
export const ZUsername = z
  .string({ message: "Enter a username" })
  .trim()
  .min(2, "Use at least 2 characters")
  .max(32, "Use at most 32 characters")
  .regex(/^[a-z][a-z0-9._-]*$/, "Use lowercase letters, digits, '.', '_' and '-', starting with a letter");

export const PASSWORD_MIN_LENGTH = 10;
export const ZNewPassword = z
  .string({ message: "Enter a password" })
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(256, "Use at most 256 characters");

/** A password being checked, not chosen: any length the form allows. */
export const ZPassword = z.string({ message: "Enter your password" }).min(1, "Enter your password").max(256);
