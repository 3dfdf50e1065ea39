import type { TContainerService } from "../containers/service";
import type { TDb } from "../db";
import type { TLxcDriver } from "../helper-client/lxc";
import type { TConfigVerdict } from "../helper/contract/lxc";
import type { TConfigProblem } from "../schemas/lxc-config/validate";
import { createConfigChecks } from "./checks";
import { createConfigHistory } from "./history";
import { createRestore } from "./restore";
import { createConfigImport } from "./import";
import { createLiveCgroups } from "./live-cgroups";
import { createConfigReader } from "./read";
import { createConfigSaving } from "./save";

/**
 * Container configs as the API offers them, one object built from the rooms that do the work: reading (./read.ts),
 * the checks (./checks.ts), the write path (./save.ts), its history and restore (./history.ts), imports
 * (./import.ts) and live cgroup changes (./live-cgroups.ts).
 */
export type TConfigServiceOptions = {
  db: TDb;
  lxc: Pick<TLxcDriver, "configPath" | "setCgroup">;
  containers: Pick<TContainerService, "get">;
  /** liblxc's verdict on a candidate (in the helper: lxc.checkConfig). */
  check: (text: string) => Promise<TConfigVerdict>;
  /** Reads a container's config file (in the helper: config.read; the container's directory is root's). */
  readConfig: (name: string) => Promise<string>;
  /** Warnings for host paths the config names that do not exist (in the helper: config.hostPaths). */
  hostPaths: (text: string) => Promise<TConfigProblem[]>;
  /**
   * Replaces a container's config file atomically (in the helper: config.write, where an admin-only change needs the
   * admin's ticket).
   */
  writeFile: (name: string, text: string, adminTicket?: string) => Promise<void>;
  /** Host directories operators may bind-mount from (ATELIER_BIND_ROOTS). */
  bindRoots?: readonly string[];
  /** The config new containers start from (ATELIER_CONTAINER_CONFIG), for checking an import before it is made. */
  containerConfigText?: () => Promise<string>;
};

export const createConfigService = ({
  db,
  lxc,
  containers,
  check,
  readConfig,
  hostPaths,
  writeFile,
  bindRoots = [],
  containerConfigText,
}: TConfigServiceOptions) => {
  const read = createConfigReader({ lxc, readConfig });
  const checks = createConfigChecks({ lxc, check, hostPaths, bindRoots });
  const history = createConfigHistory({ db, read });
  const live = createLiveCgroups({ lxc, containers });
  const saving = createConfigSaving({ read, checks, history, live, writeFile });
  const imports = createConfigImport({ lxc, checks, read, write: saving.write, containerConfigText });

  return {
    read,
    locks: checks.locks,
    validate: checks.validate,
    preview: saving.preview,
    save: saving.save,
    history: history.history,
    versionContent: history.versionContent,
    checkImport: imports.checkImport,
    writeImport: imports.writeImport,
    restore: createRestore({ history, write: saving.write }),
    forget: history.forget,
  };
};

export type TConfigService = ReturnType<typeof createConfigService>;
