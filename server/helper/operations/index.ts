import { fileOperations } from "./files";
import { jobOperations } from "./jobs";
import { lxcOperations } from "./lxc";
import { readOperations } from "./reads";

/**
 * Every operation the helper offers, by name: the whole of what the web tier may ask of root. One file per family.
 */
export const helperOperations = (settings: {
  lxcPath: string;
  containerConfig?: string;
  /** LXC's template cache (ATELIER_LXC_CACHE) and the directories tarballs may come from. */
  cacheDir: string;
  importDirs: readonly string[];
}) => ({
  ...lxcOperations(settings),
  ...jobOperations(settings),
  ...fileOperations(settings),
  ...readOperations(settings),
});

export type THelperOperations = ReturnType<typeof helperOperations>;
