import { readFile } from "node:fs/promises";
import { createAccounts, type TAccounts } from "./auth/accounts";
import { createAnonymousRefusals, type TAnonymousRefusals } from "./auth/anonymous-refusals";
import type { SetupToken } from "./auth/setup-token";
import { createContainerService, type TContainerService } from "./containers/service";
import { EventBus } from "./events/bus";
import { createDb, type TDb } from "./db";
import type { TSettings } from "./env";
import type { THelper } from "./helper-client";
import { createHelperLxcDriver } from "./helper-client/lxc";
import type { TLxcDriver } from "./helper-client/lxc";
import { logger, type TLogger } from "./log";
import { createNat, type TNat } from "./host-network/nat";
import { createJobs, type TJobs } from "./jobs/jobs";
import { createProvisioner, type TProvisioner } from "./provision/service";
import { createSnapshots, type TSnapshots } from "./provision/snapshots";
import { createTypes, type TTypes } from "./provision/types";
import { createNics, type TNics } from "./host-network/nics";
import { createNetworkService, type TNetworkService } from "./host-network/service";
import { createConfigService, type TConfigService } from "./lxc-config/service";
import { createAutostart, type TAutostart } from "./lxc-config/autostart";
import { createAdminEnrolment, type TAdminEnrolment } from "./auth/admin-enrolment";
import { createMetrics, type TMetrics } from "./metrics";
import { createIsolation, type TIsolation } from "./provision/isolation";
import { createConsoles, type TConsoles } from "./console/sessions";
import { createPackages, type TPackages } from "./packages/service";

/** Everything the API needs, built once from the settings. */
export type TRuntime = {
  settings: TSettings;
  /** The helper's own list of admins, kept in step with the users. */
  admins: TAdminEnrolment;
  /** The root helper (every privileged operation). */
  helper: THelper;
  db: TDb;
  lxc: TLxcDriver;
  containers: TContainerService;
  accounts: TAccounts;
  events: EventBus;
  /** The host's network, as the Network page shows it. */
  network: TNetworkService;
  /** The NAT network (lxc-net's job): bridge, dnsmasq, masquerade. */
  nat: TNat;
  /** Containers' network interfaces, written through the config's write path. */
  nics: TNics;
  /** Background jobs (create, clone, snapshot, restore) with progress and logs. */
  jobs: TJobs;
  /** New containers from the root filesystem providers, as jobs. */
  provision: TProvisioner;
  snapshots: TSnapshots;
  /** Saved creation forms. */
  types: TTypes;
  /** Unprivileged containers: id ranges, their picture, conversion. */
  isolation: TIsolation;
  /** Terminal sessions (shells, consoles) and their viewers. */
  consoles: TConsoles;
  /** Packages inside containers: lists, searches, changes as jobs. */
  packages: TPackages;
  /** Container configs: read, validate, write with history. */
  config: TConfigService;
  /** The containers that start with the host: order, groups, dependencies, a run now. */
  autostart: TAutostart;
  /** Usage: sampler, recent window, history and the live streams' watches (started by main). */
  metrics: TMetrics;
  /** Refused calls without credentials, audited one row per address and minute. */
  anonymousRefusals: TAnonymousRefusals;
  /** First-run setup: the token that may create the first admin, while no user exists. */
  setup: { token: SetupToken | null };
  log: TLogger;
};

export const createRuntime = (
  settings: TSettings,
  { isProcedure, helper }: { isProcedure: (path: string) => boolean; helper: THelper },
): TRuntime => {
  // Every lxc-* command runs in the helper (server/helper/operations/lxc.ts).
  const lxc = createHelperLxcDriver(helper, { lxcPath: settings.lxcPath });
  const db = createDb(settings.databaseUrl);
  const events = new EventBus(db, logger.child({ component: "events" }));
  const containers = createContainerService({ lxc });
  const config = createConfigService({
    db,
    lxc,
    containers,
    check: (text) => helper.lxc.checkConfig({ text }),
    readConfig: async (name) => (await helper.config.read({ name })).text,
    hostPaths: (text) => helper.config.hostPaths({ text }),
    writeFile: async (name, text, ticket) => {
      await helper.config.write({ name, text, ...(ticket ? { ticket } : {}) });
    },
    bindRoots: settings.bindRoots,
    containerConfigText: async () =>
      settings.containerConfig ? readFile(settings.containerConfig, "utf8").catch(() => "") : "",
  });
  // The provisioner cleans up after jobs the jobs module found interrupted at start-up; it needs the jobs first.
  let provision: TProvisioner | null = null;
  const jobs = createJobs({
    db,
    helper,
    events,
    log: logger.child({ component: "jobs" }),
    cleanupFor: (kind, target) =>
      kind === "create"
        ? () => provision?.cleanupInterrupted(target) ?? Promise.resolve()
        : kind === "clone" || kind === "restore-new"
          ? () => provision?.destroyIfExists(target) ?? Promise.resolve()
          : undefined,
  });
  const readNetwork = () => helper.network.read({});
  const isolation = createIsolation({
    db,
    helper,
    lxc,
    containers,
    config,
    jobs,
    idmapPool: settings.idmapPool,
  });
  provision = createProvisioner({
    isolation,
    unprivilegedByDefault: settings.unprivilegedByDefault,
    lxc,
    helper,
    readNetwork,
    containers,
    config,
    jobs,
    lxcPath: settings.lxcPath,
    containerConfig: settings.containerConfig,
    cacheDir: settings.lxcCache,
    importDirs: settings.importDirs,
  });
  return {
    settings,
    helper,
    db,
    admins: createAdminEnrolment({ helper, log: logger.child({ component: "admins" }) }),
    accounts: createAccounts({
      db,
      adminTicket: async (username, password, binding, expiresAt) =>
        (await helper.admins.signIn({ username, password, binding, expiresAt: expiresAt.getTime() })).ticket,
      tokenTicket: async (ticket, binding) => (await helper.admins.tokenTicket({ ticket, binding })).ticket,
    }),
    events,
    config,
    autostart: createAutostart({ helper, config, containers, jobs }),
    jobs,
    provision,
    snapshots: createSnapshots({
      lxc,
      helper,
      containers,
      jobs,
      destroyIfExists: provision.destroyIfExists,
      isolation,
    }),
    types: createTypes({ db, provision }),
    isolation,
    nics: createNics({ config, readNetwork }),
    nat: createNat({
      readNetwork,
      helper,
      db,
      events,
      log: logger.child({ component: "nat" }),
    }),
    network: createNetworkService({
      readNetwork,
      helper,
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
    consoles: createConsoles({
      helper,
      db,
      events,
      keepMinutes: settings.consoleKeepMinutes,
      scrollback: settings.consoleScrollback,
      log: logger.child({ component: "console" }),
    }),
    packages: createPackages({ helper, containers, jobs }),
    setup: { token: null },
    anonymousRefusals: createAnonymousRefusals({ db, isProcedure }),
    lxc,
    containers,
    log: logger,
  };
};

export const closeRuntime = async (runtime: TRuntime) => {
  await runtime.db.$disconnect();
};
