import { AppError, said } from "../../errors";
import type { TIdPool } from "../../schemas/idmap";
import { requireTicket } from "../admins";
import type { THandlers } from "../contract/define";
import type { hostContract } from "../contract/host";
import { makeFix, readReadiness } from "../host/readiness";

/**
 * The host readiness page's operations (the contract: ../contract/host.ts): the report, read-only, and the safe fixes,
 * each on an admin's ticket. A fix that cannot be made as listed (another user's range overlaps the pool, a file
 * the helper cannot judge or write) fails, saying which file and why; nothing else is changed.
 */
export const hostOperations = (settings: {
  lxcPath: string;
  hostRoot: string;
  containerConfig?: string;
  stateDir: string;
  idPool: TIdPool;
}) => {
  // One report at a time: a call made while one is being read gets that one. Any viewer may ask, and each report
  // runs lxc-checkconfig (a hundred processes as root) and reads every process's command line.
  let reading: ReturnType<typeof readReadiness> | null = null;
  return {
    readiness: () => {
      reading ??= readReadiness(settings).finally(() => {
        reading = null;
      });
      return reading;
    },
    fix: async ({ id, ticket }) => {
      await requireTicket(settings.stateDir, ticket, { action: "hostFix" });
      const made = await makeFix(id, settings);
      const failed = made.files.find((file) => file.state === "conflict" || file.problem);
      if (failed)
        throw new AppError(
          "PRECONDITION_FAILED",
          said("hostFixFailed", {
            file: failed.file,
            problem: failed.problem ?? `"${failed.conflict ?? ""}" overlaps Atelier's id pool`,
          }),
        );
      return { id, changed: made.changed };
    },
  } satisfies THandlers<typeof hostContract>;
};
