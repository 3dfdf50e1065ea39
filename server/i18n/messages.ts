/**
 * Every string the pages show, in each language: one JSON file per namespace and language under messages/. The
 * English catalogue is the reference (its keys type `t()` calls); French must have the same keys (the assignment
 * below fails to compile on a missing one; tests/unit/i18n-catalogues.test.ts checks extra keys and ICU arguments).
 * Pure: the pages, the web tier (server errors' English) and the helper import it.
 */
import enCommon from "./messages/en/common.json" with { type: "json" };
import enNav from "./messages/en/nav.json" with { type: "json" };
import enAuth from "./messages/en/auth.json" with { type: "json" };
import enAccount from "./messages/en/account.json" with { type: "json" };
import enUsers from "./messages/en/users.json" with { type: "json" };
import enContainers from "./messages/en/containers.json" with { type: "json" };
import enCreation from "./messages/en/creation.json" with { type: "json" };
import enSnapshots from "./messages/en/snapshots.json" with { type: "json" };
import enConfig from "./messages/en/config.json" with { type: "json" };
import enNetwork from "./messages/en/network.json" with { type: "json" };
import enHost from "./messages/en/host.json" with { type: "json" };
import enMetrics from "./messages/en/metrics.json" with { type: "json" };
import enJobs from "./messages/en/jobs.json" with { type: "json" };
import enEvents from "./messages/en/events.json" with { type: "json" };
import enAudit from "./messages/en/audit.json" with { type: "json" };
import enLive from "./messages/en/live.json" with { type: "json" };
import enErrors from "./messages/en/errors.json" with { type: "json" };
import enErrorsHelper from "./messages/en/errors-helper.json" with { type: "json" };
import enPalette from "./messages/en/palette.json" with { type: "json" };
import enConsole from "./messages/en/console.json" with { type: "json" };
import enValidation from "./messages/en/validation.json" with { type: "json" };
import enReadiness from "./messages/en/readiness.json" with { type: "json" };
import enAutostart from "./messages/en/autostart.json" with { type: "json" };
import enPackages from "./messages/en/packages.json" with { type: "json" };
import enFiles from "./messages/en/files.json" with { type: "json" };
import enServices from "./messages/en/services.json" with { type: "json" };
import frCommon from "./messages/fr/common.json" with { type: "json" };
import frNav from "./messages/fr/nav.json" with { type: "json" };
import frAuth from "./messages/fr/auth.json" with { type: "json" };
import frAccount from "./messages/fr/account.json" with { type: "json" };
import frUsers from "./messages/fr/users.json" with { type: "json" };
import frContainers from "./messages/fr/containers.json" with { type: "json" };
import frCreation from "./messages/fr/creation.json" with { type: "json" };
import frSnapshots from "./messages/fr/snapshots.json" with { type: "json" };
import frConfig from "./messages/fr/config.json" with { type: "json" };
import frNetwork from "./messages/fr/network.json" with { type: "json" };
import frHost from "./messages/fr/host.json" with { type: "json" };
import frMetrics from "./messages/fr/metrics.json" with { type: "json" };
import frJobs from "./messages/fr/jobs.json" with { type: "json" };
import frEvents from "./messages/fr/events.json" with { type: "json" };
import frAudit from "./messages/fr/audit.json" with { type: "json" };
import frLive from "./messages/fr/live.json" with { type: "json" };
import frErrors from "./messages/fr/errors.json" with { type: "json" };
import frErrorsHelper from "./messages/fr/errors-helper.json" with { type: "json" };
import frPalette from "./messages/fr/palette.json" with { type: "json" };
import frConsole from "./messages/fr/console.json" with { type: "json" };
import frValidation from "./messages/fr/validation.json" with { type: "json" };
import frReadiness from "./messages/fr/readiness.json" with { type: "json" };
import frAutostart from "./messages/fr/autostart.json" with { type: "json" };
import frPackages from "./messages/fr/packages.json" with { type: "json" };
import frFiles from "./messages/fr/files.json" with { type: "json" };
import frServices from "./messages/fr/services.json" with { type: "json" };
import type { TLocale } from "./locales";

const EN = {
  common: enCommon,
  nav: enNav,
  auth: enAuth,
  account: enAccount,
  users: enUsers,
  containers: enContainers,
  creation: enCreation,
  snapshots: enSnapshots,
  config: enConfig,
  network: enNetwork,
  host: enHost,
  metrics: enMetrics,
  jobs: enJobs,
  events: enEvents,
  audit: enAudit,
  live: enLive,
  // The server's errors: the web tier's (errors.json) and the root helper's (errors-helper.json).
  errors: { ...enErrors, ...enErrorsHelper },
  palette: enPalette,
  // The Shell and Console tabs: the terminal, its sessions and the shell settings.
  console: enConsole,
  // What the shared schemas say of a value (forms in the browser, the API's field errors, a config's line problems).
  validation: enValidation,
  // The Host page's readiness section: each check's title and what a problem breaks.
  readiness: enReadiness,
  autostart: enAutostart,
  // The Packages tab: a container's packages, searched, installed, removed and upgraded.
  packages: enPackages,
  // The Files tab: a container's files as it sees them.
  files: enFiles,
  // The Services tab: a container's services and their actions.
  services: enServices,
};

export type TMessages = typeof EN;

const FR: TMessages = {
  common: frCommon,
  nav: frNav,
  auth: frAuth,
  account: frAccount,
  users: frUsers,
  containers: frContainers,
  creation: frCreation,
  snapshots: frSnapshots,
  config: frConfig,
  network: frNetwork,
  host: frHost,
  metrics: frMetrics,
  jobs: frJobs,
  events: frEvents,
  audit: frAudit,
  live: frLive,
  errors: { ...frErrors, ...frErrorsHelper },
  palette: frPalette,
  console: frConsole,
  validation: frValidation,
  readiness: frReadiness,
  autostart: frAutostart,
  packages: frPackages,
  files: frFiles,
  services: frServices,
};

export const MESSAGES: Record<TLocale, TMessages> = { en: EN, fr: FR };
