import { router } from "../procedures";
import { accountRouter } from "./account/router";
import { auditRouter } from "./audit/router";
import { autostartRouter } from "./autostart/router";
import { authRouter } from "./auth/router";
import { configRouter } from "./config/router";
import { consoleRouter } from "./console/router";
import { containersRouter } from "./containers/router";
import { eventsRouter } from "./events/router";
import { filesRouter } from "./files/router";
import { hostRouter } from "./host/router";
import { jobsRouter } from "./jobs/router";
import { provisionRouter } from "./provision/router";
import { servicesRouter } from "./services/router";
import { snapshotsRouter } from "./snapshots/router";
import { typesRouter } from "./types/router";
import { metricsRouter } from "./metrics/router";
import { networkRouter } from "./network/router";
import { packagesRouter } from "./packages/router";
import { tokensRouter } from "./tokens/router";
import { usersRouter } from "./users/router";

export const appRouter = router({
  auth: authRouter,
  account: accountRouter,
  tokens: tokensRouter,
  users: usersRouter,
  audit: auditRouter,
  containers: containersRouter,
  config: configRouter,
  console: consoleRouter,
  events: eventsRouter,
  metrics: metricsRouter,
  network: networkRouter,
  jobs: jobsRouter,
  snapshots: snapshotsRouter,
  types: typesRouter,
  provision: provisionRouter,
  autostart: autostartRouter,
  host: hostRouter,
  packages: packagesRouter,
  files: filesRouter,
  services: servicesRouter,
});

export type AppRouter = typeof appRouter;
