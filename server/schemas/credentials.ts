import { z } from "zod";
import { says } from "./issue-words";

/** Pure schemas shared by the API and the forms. */
export const ZUsername = z
  .string(says("validation.credentials.enterUsername"))
  .trim()
  .min(2, says("validation.text.atLeast", { min: 2 }))
  .max(32, says("validation.text.atMost", { max: 32 }))
  .regex(/^[a-z][a-z0-9._-]*$/, says("validation.credentials.username"));

export const PASSWORD_MIN_LENGTH = 10;
export const ZNewPassword = z
  .string(says("validation.credentials.enterPassword"))
  .min(PASSWORD_MIN_LENGTH, says("validation.text.atLeast", { min: PASSWORD_MIN_LENGTH }))
  .max(256, says("validation.text.atMost", { max: 256 }));

/** A password being checked, not chosen: any length the form allows. */
export const ZPassword = z
  .string(says("validation.credentials.enterYourPassword"))
  .min(1, says("validation.credentials.enterYourPassword"))
  .max(256);
