import { z } from "zod";
import { says } from "../issue-words";

/**
 * A whole config file as text: at most 256 KiB, 10000 lines of at most 4096 characters; no NUL byte (every other
 * character is judged by the validator).
 */
export const ZConfigText = z
  .string()
  .max(256 * 1024, says("validation.configText.tooLarge"))
  .refine((text) => !text.includes("\0"), says("validation.configText.nul"))
  .refine((text) => text.split("\n").length <= 10_000, says("validation.configText.tooManyLines"))
  .refine(
    (text) => text.split("\n").every((line) => line.length <= 4096),
    says("validation.configText.lineTooLong"),
  );
