import type { TRole } from "../auth/roles";
import type { TConfigHistory } from "./history";
import type { TConfigWrite } from "./save";

/**
 * A kept version written again, through the save's own path (checked again, against the current version). Its
 * own module: it uses both the history and the save, and the save keeps versions in the history, so inside either
 * it would close a circle.
 */
export const createRestore =
  ({ history, write }: { history: Pick<TConfigHistory, "versionContent">; write: TConfigWrite }) =>
  async (input: {
    name: string;
    id: number;
    baseVersion: string;
    actor: string;
    role: TRole;
    adminTicket?: string | undefined;
    applyLive: boolean;
  }) => {
    const row = await history.versionContent(input.name, input.id);
    return write({ ...input, raw: row.content, reason: "restore" });
  };
