import { z } from "zod";
import { ZPassword, ZUsername } from "../../auth/credentials";
import { AppError } from "../../errors";
import { enrollAdmin, grantAdmin, removeAdmin, signInAdmin, ticketAdmin } from "../admins";
import { defineOperation } from "../operation";

/**
 * The admins the helper knows (../admins.ts): an admin's sign-in checked here (a ticket back), an admin enrolled,
 * granted or removed on an enrolled admin's ticket. One change at a time (the store is read, changed and written whole).
 */
const ZTicket = z.string().min(1).max(4096);

export const adminOperations = ({ stateDir }: { stateDir: string }) => {
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>) => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  /** A change of the list, made only on the ticket of an admin on it. */
  const onTicket = (ticket: string, work: () => Promise<void>) =>
    serial(async () => {
      if ((await ticketAdmin(stateDir, ticket)) === null)
        throw new AppError("FORBIDDEN", {
          message: "This needs the ticket of an admin the helper knows",
          hint: "Sign in again as an admin, then retry.",
        });
      await work();
    });
  return {
    /** A ticket until `expiresAt` if the password is this admin's (the first admin ever is enrolled), else null. */
    "admins.signIn": defineOperation({
      input: z
        .object({
          username: ZUsername,
          password: ZPassword,
          expiresAt: z.number().int().positive().max(8_640_000_000_000_000),
        })
        .strict(),
      run: ({ username, password, expiresAt }) =>
        serial(async () => ({ ticket: await signInAdmin(stateDir, username, password, expiresAt) })),
    }),
    /** An admin's password set (a new admin, a changed or reset password), on an enrolled admin's ticket. */
    "admins.enroll": defineOperation({
      input: z.object({ username: ZUsername, password: ZPassword, ticket: ZTicket }).strict(),
      run: ({ username, password, ticket }) =>
        onTicket(ticket, () => enrollAdmin(stateDir, username, password)),
    }),
    /** A user made admin (no password to enrol them with): enrolled at their next sign-in, within a week. */
    "admins.grant": defineOperation({
      input: z.object({ username: ZUsername, ticket: ZTicket }).strict(),
      run: ({ username, ticket }) => onTicket(ticket, () => grantAdmin(stateDir, username)),
    }),
    /** No longer an admin (demoted, disabled, deleted): their tickets stop working at once. */
    "admins.remove": defineOperation({
      input: z.object({ username: ZUsername, ticket: ZTicket }).strict(),
      run: ({ username, ticket }) => onTicket(ticket, () => removeAdmin(stateDir, username)),
    }),
  };
};
