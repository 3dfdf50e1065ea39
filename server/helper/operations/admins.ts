import type { adminsContract } from "../contract/admins";
import type { THandlers } from "../contract/define";
import {
  enrollAdmin,
  grantAdmin,
  makeTicket,
  removeAdmin,
  requireTicket,
  signInAdmin,
  ticketForToken,
} from "../admins";

/**
 * The admins the helper knows (../admins.ts; the contract: ../contract/admins.ts): an admin's sign-in checked here
 * (a ticket back, bound to the session's secret, its expiry the helper's), an admin enrolled or granted on an
 * enrolled admin's ticket, an admin removed. One change at a time (the store is read, changed and written whole).
 */
export const adminsOperations = ({ stateDir }: { stateDir: string }) => {
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>) => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    /**
     * A ticket if the password is this admin's (the first admin ever is enrolled), else null: bound to `binding`
     * (the SHA-256 of the new session's secret), until `expiresAt` if the web tier asks for less than the helper's
     * own limit (12 h).
     */
    signIn: ({ username, password, binding, expiresAt }) =>
      serial(async () => ({
        ticket: await signInAdmin(stateDir, username, password, {
          binding,
          ...(expiresAt === undefined ? {} : { expiresAt }),
        }),
      })),
    /**
     * An admin's password set (a new admin, a changed or reset password), on an enrolled admin's ticket: every
     * earlier ticket of that admin is void. An admin who sets their own password gets their ticket back renewed
     * (same session, same expiry): they proved the password.
     */
    enroll: ({ username, password, ticket }) =>
      serial(async () => {
        const { admin, claims } = await requireTicket(stateDir, ticket, { action: "enrollAdmin" });
        await enrollAdmin(stateDir, username, password);
        return {
          ticket: admin === username ? await makeTicket(stateDir, admin, claims.exp, claims.b) : null,
        };
      }),
    /** A user made admin (no password to enrol them with): enrolled at their next sign-in, within a week. */
    grant: ({ username, ticket }) =>
      serial(async () => {
        await requireTicket(stateDir, ticket, { action: "grantAdmin" });
        await grantAdmin(stateDir, username);
        return null;
      }),
    /**
     * No longer an admin (demoted, disabled, deleted): their tickets stop working at once. It takes nothing away but
     * that admin's own tickets, so it needs no ticket: a demotion by an admin whose ticket has lapsed still reaches
     * the helper (a compromised web tier could remove admins, denying admin-only lines, never granting any).
     */
    remove: ({ username }) =>
      serial(async () => {
        await removeAdmin(stateDir, username);
        return null;
      }),
    /** The ticket of an admin API token made with an admin's ticket: bound to the token's secret, no later expiry. */
    tokenTicket: ({ ticket, binding }) =>
      serial(async () => ({ ticket: await ticketForToken(stateDir, ticket, binding) })),
  } satisfies THandlers<typeof adminsContract>;
};
