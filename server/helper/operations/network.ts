import type { TLogger } from "../../log";
import { requireTicket } from "../admins";
import type { THandlers } from "../contract/define";
import type { networkContract } from "../contract/network";
import { createNetworkChanges } from "../network/apply";
import { persistBridges } from "../network/persist";
import { readHostNetwork } from "../network/read";

/**
 * The host's network family (the contract: ../contract/network.ts): reads, changes with their journal and rollback
 * timer (../network/apply.ts), and the persisted files (../network/persist.ts). Changing the host's network
 * (network.apply) and its persisted files (network.persist) is an admin's act: each needs an admin's ticket
 * (../admins.ts). Confirming or rolling back a change an admin applied needs none.
 */
export const networkOperations = ({
  stateDir,
  hostRoot,
  log,
}: {
  /** The helper's own directory (root only): the journal of the change in flight. */
  stateDir: string;
  /** Where the host's /etc is ("/", or a directory laid out like / in tests). */
  hostRoot: string;
  log?: TLogger | undefined;
}) => {
  const changes = createNetworkChanges({ stateDir, log });
  const operations = {
    read: () => readHostNetwork(),
    apply: async (input, { emit }) => {
      await requireTicket(stateDir, input.ticket, { action: "networkChange" });
      return changes.apply(input, emit);
    },
    confirm: ({ id }) => changes.confirm(id),
    rollback: ({ id }, { emit }) => changes.rollback(id, (line) => emit({ kind: "line", ...line })),
    status: ({ id }) => Promise.resolve(changes.status(id)),
    persist: async ({ managed, containerPorts, ticket }) => {
      await requireTicket(stateDir, ticket, { action: "networkPersist" });
      return persistBridges({ hostRoot, managed, containerPorts });
    },
  } satisfies THandlers<typeof networkContract>;
  return { operations, recover: changes.recover, close: changes.close };
};
