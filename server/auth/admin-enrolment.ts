import type { THelperClient } from "../helper-client";
import type { THelperOperations } from "../helper/operations";
import type { TLogger } from "../log";
import type { TPrincipal } from "./accounts";

/**
 * Keeps the helper's own list of admins (server/helper/admins.ts) in step with the users' roles: a new admin, an
 * admin's new password, a user made admin (enrolled at their next sign-in), an admin demoted or disabled. The helper takes each only on the acting admin's ticket; an
 * admin without one (an API token, a session from before the helper knew them) changes the users, not the helper's
 * list, which is said in the log.
 */
export const createAdminEnrolment = ({
  helper,
  log,
}: {
  helper: THelperClient<THelperOperations>;
  log: TLogger;
}) => {
  const quietly = async (what: string, username: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      log.warn(`the helper's admins: ${what} failed`, { username, error });
    }
  };
  return {
    enroll: (username: string, password: string, by: TPrincipal) =>
      by.adminTicket
        ? quietly("enrolling", username, () =>
            helper.call("admins.enroll", { username, password, ticket: by.adminTicket as string }),
          )
        : Promise.resolve(log.warn("the helper's admins: not enrolled (no admin ticket)", { username })),
    grant: (username: string, by: TPrincipal) =>
      by.adminTicket
        ? quietly("granting", username, () =>
            helper.call("admins.grant", { username, ticket: by.adminTicket as string }),
          )
        : Promise.resolve(log.warn("the helper's admins: not granted (no admin ticket)", { username })),
    remove: (username: string, by: TPrincipal) =>
      by.adminTicket
        ? quietly("removing", username, () =>
            helper.call("admins.remove", { username, ticket: by.adminTicket as string }),
          )
        : Promise.resolve(log.warn("the helper's admins: not removed (no admin ticket)", { username })),
  };
};

export type TAdminEnrolment = ReturnType<typeof createAdminEnrolment>;
