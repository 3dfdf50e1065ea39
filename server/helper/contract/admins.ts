import { z } from "zod";
import { ZPassword, ZUsername } from "../../schemas/credentials";
import { op } from "./define";
import { ZTicket } from "./ticket";

/**
 * The admins the helper itself knows (server/helper/admins.ts): a sign-in checked by the helper, which answers with
 * a ticket; admins enrolled, granted and removed; a token's ticket made from a session's. One change at a time.
 */
const SECOND = 1000;

/** What a session's or token's secret is bound by: its SHA-256, as the database keeps it too. */
export const ZBinding = z
  .string()
  .regex(/^[0-9a-f]{64}$/, "must be the SHA-256 (hex) of the session's secret");

// Each runs a password hash or two at most (argon2id, ~0.1 s) and rewrites a small file, behind the others.
const TIMEOUT_MS = 30 * SECOND;

export const adminsContract = {
  signIn: op({
    input: z
      .object({
        username: ZUsername,
        password: ZPassword,
        binding: ZBinding,
        /** The session's end (ms): the ticket ends then if that is before the helper's own limit (12 h). */
        expiresAt: z.number().int().positive().max(8_640_000_000_000_000).optional(),
      })
      .strict(),
    /** null: not this admin's password (or not an admin the helper knows). */
    output: z.object({ ticket: z.string().nullable() }),
    // It makes a ticket: the password is the proof.
    ticket: "never",
    timeoutMs: TIMEOUT_MS,
    summary:
      "An admin's password checked by the helper: a ticket bound to the session's secret, its expiry the helper's (12 h at most)",
  }),
  enroll: op({
    input: z.object({ username: ZUsername, password: ZPassword, ticket: ZTicket }).strict(),
    /** The acting admin's ticket renewed when they set their own password (the old ones are void), else null. */
    output: z.object({ ticket: z.string().nullable() }),
    ticket: "always",
    timeoutMs: TIMEOUT_MS,
    summary:
      "Sets an admin's password (a new admin, a change, a reset); every earlier ticket of theirs is void",
  }),
  grant: op({
    input: z.object({ username: ZUsername, ticket: ZTicket }).strict(),
    output: z.null(),
    ticket: "always",
    timeoutMs: TIMEOUT_MS,
    summary: "Makes a user admin, enrolled by their next sign-in within a week",
  }),
  remove: op({
    input: z.object({ username: ZUsername }).strict(),
    output: z.null(),
    // It takes nothing away but that admin's own tickets, so a demotion or disable by an admin whose ticket has
    // lapsed still reaches the helper (a compromised web tier could remove admins, never grant a line).
    ticket: "never",
    timeoutMs: TIMEOUT_MS,
    summary: "No longer an admin (demoted, disabled, deleted): their tickets stop working at once",
  }),
  tokenTicket: op({
    input: z.object({ ticket: ZTicket, binding: ZBinding }).strict(),
    output: z.object({ ticket: z.string() }),
    ticket: "always",
    timeoutMs: TIMEOUT_MS,
    summary:
      "The ticket of an admin's API token: bound to the token's secret, ending no later than the ticket given",
  }),
};
