import type { TLogger } from "../../log";
import { createBeingMade } from "../being-made";
import { recoverProcessGroups } from "../commands";
import { contract } from "../contract";
import { implement } from "../operation";
import { adminsOperations } from "./admins";
import { cacheOperations } from "./cache";
import { configOperations } from "./config";
import { importsOperations } from "./imports";
import { jobsOperations } from "./jobs";
import { lxcOperations } from "./lxc";
import { natOperations } from "./nat";
import { networkOperations } from "./network";
import { rootfsOperations } from "./rootfs";
import { snapshotsOperations } from "./snapshots";
import { tarballOperations } from "./tarball";
import { uploadOperations } from "./upload";

export type THelperSettings = {
  lxcPath: string;
  containerConfig?: string;
  /** LXC's template cache (ATELIER_LXC_CACHE) and the directories tarballs may come from. */
  cacheDir: string;
  importDirs: readonly string[];
  /** The helper's own directory, root only: the network journal, dnsmasq's files. */
  stateDir: string;
  /** Where the host's /etc is ("/", or a directory laid out like / in tests). */
  hostRoot: string;
  /** The web tier's upload spool, and the uids that may call (their files may be taken from the spool). */
  uploadSpool: string;
  allowedUids: readonly number[];
  /** Where operators may bind-mount from (ATELIER_BIND_ROOTS). */
  bindRoots?: readonly string[];
  log?: TLogger;
};

/**
 * Every operation the helper offers, by name: the whole of what the web tier may ask of root. One file per family.
 * `recover` runs once when the helper starts: it undoes what a previous helper left half done.
 */
export const createHelperOperations = (settings: THelperSettings) => {
  const network = networkOperations(settings);
  // The containers the helper is making: rootfs.prepare writes into them without a ticket, into no other.
  const beingMade = createBeingMade();
  return {
    operations: {
      ...implement(contract, {
        lxc: lxcOperations({ ...settings, beingMade }),
        jobs: jobsOperations({ ...settings, beingMade }),
        rootfs: rootfsOperations({ ...settings, beingMade }),
        tarball: tarballOperations({ ...settings, beingMade }),
        cache: cacheOperations(settings),
        snapshots: snapshotsOperations(settings),
        imports: importsOperations(settings),
        upload: uploadOperations(settings),
        config: configOperations({ ...settings, bindRoots: settings.bindRoots ?? [] }),
        admins: adminsOperations(settings),
        network: network.operations,
        nat: natOperations(settings),
      }),
    },
    recover: async () => {
      await recoverProcessGroups(settings.stateDir);
      await network.recover();
    },
    close: () => network.close(),
  };
};
