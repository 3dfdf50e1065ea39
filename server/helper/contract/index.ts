import type { TContract } from "./define";
import { adminsContract } from "./admins";
import { autostartContract } from "./autostart";
import { bindsContract } from "./binds";
import { configContract } from "./config";
import { consoleContract } from "./console";
import { cacheContract } from "./cache";
import { filesContract } from "./files";
import { hostContract } from "./host";
import { idmapContract } from "./idmap";
import { importsContract } from "./imports";
import { jobsContract } from "./jobs";
import { lxcContract } from "./lxc";
import { natContract } from "./nat";
import { packagesContract } from "./packages";
import { networkContract } from "./network";
import { rootfsContract } from "./rootfs";
import { servicesContract } from "./services";
import { snapshotsContract } from "./snapshots";
import { tarballContract } from "./tarball";
import { uploadContract } from "./upload";

/**
 * Everything the web tier may ask of the helper, by family: the one list of helper operations. The helper implements
 * it (server/helper/operations, checked complete by the compiler), the web tier's client is generated from it
 * (server/helper-client), and docs/architecture.md's table of operations is printed from it
 * (scripts/contract-table.ts).
 */
export const contract = {
  lxc: lxcContract,
  config: configContract,
  admins: adminsContract,
  network: networkContract,
  nat: natContract,
  jobs: jobsContract,
  rootfs: rootfsContract,
  tarball: tarballContract,
  cache: cacheContract,
  snapshots: snapshotsContract,
  imports: importsContract,
  upload: uploadContract,
  idmap: idmapContract,
  binds: bindsContract,
  console: consoleContract,
  autostart: autostartContract,
  host: hostContract,
  packages: packagesContract,
  files: filesContract,
  services: servicesContract,
} satisfies TContract;

export type THelperContract = typeof contract;
