import { z } from "zod";
import { ZContainerState } from "../../../schemas/container-state";
import { ZFoundPackage, ZInstalledPackage, ZPackageManager } from "../../../schemas/packages";

export {
  ZPackagesChangeRequest,
  ZPackagesSearchRequest,
  ZPackagesTarget as ZPackagesListRequest,
  ZPackagesUpgradeRequest,
} from "../../../schemas/packages";

/** The installed packages; a container that is not running says so (its state) and lists nothing. */
export const ZPackagesListResponse = z.object({
  state: ZContainerState,
  isRunning: z.boolean(),
  /** null: no package manager Atelier knows (busybox), or not running. */
  manager: ZPackageManager.nullable(),
  packages: z.array(ZInstalledPackage),
});

export const ZPackagesSearchResponse = z.object({
  manager: ZPackageManager.nullable(),
  results: z.array(ZFoundPackage),
  /** How many matched in all (more than results when they were cut). */
  total: z.number().int(),
});

export const ZPackagesJobStarted = z.object({ jobId: z.string() });
