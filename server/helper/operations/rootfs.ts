import { stat } from "node:fs/promises";
import path from "node:path";
import { containerNotFound } from "../../lxc";
import { writeGuestFiles } from "../../rootfs/guest-files";
import { readContainerConfig } from "../../rootfs/hostname";
import { hasIsolatedIdMap } from "../../schemas/lxc-config/privileges";
import { requireTicket } from "../admins";
import type { TBeingMade } from "../being-made";
import type { THandlers } from "../contract/define";
import type { rootfsContract } from "../contract/rootfs";

/**
 * Writes into a container's root filesystem (the contract: ../contract/rootfs.ts), through the rootfs module
 * (../../rootfs/guest-files.ts), never through a guest's link.
 */
export const rootfsOperations = ({
  lxcPath,
  stateDir,
  beingMade,
}: {
  lxcPath: string;
  /** The helper's own directory: its admins, for the ticket an existing container needs. */
  stateDir: string;
  /** The containers the helper is making: written into without a ticket, and no other. */
  beingMade: TBeingMade;
}) =>
  ({
    /**
     * The files provisioning puts in a new container's root filesystem. Into a container the helper is making
     * (../being-made.ts), as the provisioner's last step; into any other container only with an admin's ticket (a
     * root password or an SSH key written into someone's existing container is a takeover).
     */
    prepare: async ({ name, ticket, ...files }) => {
      if (!(await stat(path.join(lxcPath, name, "config")).catch(() => null))?.isFile())
        throw containerNotFound(lxcPath, name);
      if (!beingMade.has(name)) await requireTicket(stateDir, ticket, { action: "rootfsWrite", name });
      // A container the helper made is finished here: a privileged one (no isolated id map: its root is the
      // host's) only on an admin's ticket. Refused, the creation fails and the half-made container is destroyed.
      else if (!hasIsolatedIdMap((await readContainerConfig(path.join(lxcPath, name, "config"))).entries()))
        await requireTicket(stateDir, ticket, { action: "privilegedContainer", name });
      await writeGuestFiles(lxcPath, name, files);
      beingMade.clear(name);
      return null;
    },
  }) satisfies THandlers<typeof rootfsContract>;
