import { createAccounts, type TAccounts } from "./auth/accounts";
import type { SetupToken } from "./auth/setup-token";
import { createContainerService, type TContainerService } from "./containers/service";
import { EventBus } from "./events/bus";
import { createDb, type TDb } from "./db";
import type { TSettings } from "./env";
import { createLxcDriver, type TLxcDriver } from "./lxc";
import { logger, type TLogger } from "./log";
import { createNetworkService, type TNetworkService } from "./host-network/service";
import { createConfigService, type TConfigService } from "./lxc-config/service";
import { createMetrics, type TMetrics } from "./metrics";

/** Everything the API needs, built once from the settings. */
export type TRuntime = {
  settings: TSettings;
  db: TDb;
  lxc: TLxcDriver;
  containers: TContainerService;
  accounts: TAccounts;
  events: EventBus;
  /** The host's network, as the Network page shows it. */
  network: TNetworkService;
  /** Container configs: read, validate, write with history. */
  config: TConfigService;
  /** Usage: sampler, recent window, history and the live streams' watches (started by main). */
  metrics: TMetrics;
  /** First-run setup: the token that may create the first admin, while no user exists. */
  setup: { token: SetupToken | null };
  log: TLogger;
};

export const createRuntime = (settings: TSettings): TRuntime => {
  const lxc = createLxcDriver({ lxcPath: settings.lxcPath, containerConfig: settings.containerConfig });
  const db = createDb(settings.databaseUrl);
  const events = new EventBus(db, logger.child({ component: "events" }));
  const containers = createContainerService({ lxc });
  return {
    settings,
    db,
    accounts: createAccounts({ db }),
    events,
    config: createConfigService({ db, lxc, containers }),
    network: createNetworkService({
      lxc,
      containers,
      db,
      events,
      log: logger.child({ component: "network" }),
      hostRoot: settings.hostRoot,
    }),
    metrics: createMetrics({
      db,
      containers,
      events,
      lxcPath: settings.lxcPath,
      intervalMs: settings.metricsIntervalMs,
      databaseUrl: settings.databaseUrl,
      log: logger.child({ component: "metrics" }),
    }),
    setup: { token: null },
    lxc,
    containers,
    log: logger,
  };
};

export const closeRuntime = async (runtime: TRuntime) => {
  await runtime.db.$disconnect();
};
