import { createContainerService, type TContainerService } from "./containers/service";
import { createDb, type TDb } from "./db";
import type { TSettings } from "./env";
import { createLxcDriver, type TLxcDriver } from "./lxc";
import { logger, type TLogger } from "./log";

/** Everything the API needs, built once from the settings. */
export type TRuntime = {
  settings: TSettings;
  db: TDb;
  lxc: TLxcDriver;
  containers: TContainerService;
  log: TLogger;
};

export const createRuntime = (settings: TSettings): TRuntime => {
  const lxc = createLxcDriver({ lxcPath: settings.lxcPath, containerConfig: settings.containerConfig });
  return {
    settings,
    db: createDb(settings.databaseUrl),
    lxc,
    containers: createContainerService({ lxc }),
    log: logger,
  };
};

export const closeRuntime = async (runtime: TRuntime) => {
  await runtime.db.$disconnect();
};
