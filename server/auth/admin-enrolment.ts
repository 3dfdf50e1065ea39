import type { THelper } from "../helper-client";
import type { TLogger } from "../log";
import type { TPrincipal } from "./accounts";

/**
 * Keeps the helper's own list of admins (server/helper/admins.ts) in step with the users' roles: a new admin, an
 * admin's new password, a user made admin (enrolled at their next sign-in), an admin demoted or disabled. The helper
 * takes an enrolment or a grant only on the acting admin's ticket; an admin without one (a session from before the
 * helper knew them, or whose ticket expired) changes the users, not the helper's list, which is said in the log. A
 * removal needs no ticket: a demoted or disabled admin's tickets are void in the helper whoever demoted them.
 */
export const createAdminEnrolment = ({ helper, log }: { helper: Pick<THelper, "admins">; log: TLogger }) => {
  const withTicket = async <T>(
    what: string,
    username: string,
    by: TPrincipal,
    work: (ticket: string) => Promise<T>,
  ): Promise<T | null> => {
    if (!by.adminTicket) {
      log.warn(`the helper's admins: ${what} skipped (no admin ticket)`, { username });
      return null;
    }
    try {
      return await work(by.adminTicket);
    } catch (error) {
      log.warn(`the helper's admins: ${what} failed`, { username, error });
      return null;
    }
  };
  return {
    /** Enrols `username` with `password`; an admin who set their own gets back their renewed ticket (else null). */
    enroll: async (username: string, password: string, by: TPrincipal) =>
      (
        await withTicket("enrolling", username, by, (ticket) =>
          helper.admins.enroll({ username, password, ticket }),
        )
      )?.ticket ?? null,
    grant: (username: string, by: TPrincipal) =>
      withTicket("granting", username, by, (ticket) => helper.admins.grant({ username, ticket })),
    remove: async (username: string, by: TPrincipal) => {
      try {
        await helper.admins.remove({ username });
      } catch (error) {
        log.warn("the helper's admins: removing failed", { username, by: by.username, error });
      }
    },
  };
};

export type TAdminEnrolment = ReturnType<typeof createAdminEnrolment>;
