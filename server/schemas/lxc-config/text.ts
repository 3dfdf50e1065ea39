import { z } from "zod";

/**
 * A whole config file as text: at most 256 KiB, 10000 lines of at most 4096 characters; no NUL byte (every other
 * character is judged by the validator).
 */
export const ZConfigText = z
  .string()
  .max(256 * 1024, "a config of more than 256 KiB is not a container config")
  .refine((text) => !text.includes("\0"), { message: "must not contain a NUL byte" })
  .refine((text) => text.split("\n").length <= 10_000, { message: "must have at most 10000 lines" })
  .refine((text) => text.split("\n").every((line) => line.length <= 4096), {
    message: "must not have a line longer than 4096 characters",
  });
