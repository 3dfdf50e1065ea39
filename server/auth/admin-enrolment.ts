import type { THelperClient } from "../helper-client";
import type { THelperOperations } from "../helper/operations";
import type { TLogger } from "../log";
import type { TPrincipal } from "./accounts";

/**
 * Keeps the helper's own list of admins (server/helper/admins.ts) in step with the users' roles: a new admin, an
 * admin's new password, a user made admin (enrolled at their next sign-in), an admin demoted or disabled. The helper
 * takes each only on the acting admin's ticket; an admin without one (a session from before the helper knew them)
 * changes the users, not the helper's list, which is said in the log.
 */
export const createAdminEnrolment = ({
  helper,
  log,
}: {
  helper: THelperClient<THelperOperations>;
  log: TLogger;
}) => {
  const withTicket = async (
    what: string,
    username: string,
    by: TPrincipal,
    work: (ticket: string) => Promise<unknown>,
  ) => {
    if (!by.adminTicket)
      return log.warn(`the helper's admins: ${what} skipped (no admin ticket)`, { username });
    try {
      await work(by.adminTicket);
    } catch (error) {
      log.warn(`the helper's admins: ${what} failed`, { username, error });
    }
  };
  return {
    enroll: (username: string, password: string, by: TPrincipal) =>
      withTicket("enrolling", username, by, (ticket) =>
        helper.call("admins.enroll", { username, password, ticket }),
      ),
    grant: (username: string, by: TPrincipal) =>
      withTicket("granting", username, by, (ticket) => helper.call("admins.grant", { username, ticket })),
    remove: (username: string, by: TPrincipal) =>
      withTicket("removing", username, by, (ticket) => helper.call("admins.remove", { username, ticket })),
  };
};

export type TAdminEnrolment = ReturnType<typeof createAdminEnrolment>;
