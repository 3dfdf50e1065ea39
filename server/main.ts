/**
 * Atelier's process: validates settings, applies database migrations, then serves the API (/api/*) and the
 * Next.js pages on one HTTP server. Background services (monitor, sampler, jobs) start here in later work.
 *
 * The API is served here rather than from a Next route handler so that all privileged code runs in this one
 * module graph, shares one state table with the background services, and is never part of the Next bundle.
 */
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import next from "next";
import { principalOf } from "./auth/principal";
import { SetupToken } from "./auth/setup-token";
import { loadSettings, SettingsError, type TSettings } from "./env";
import { handleEventStream } from "./http/event-stream";
import { handleUpload } from "./http/upload";
import { checkHost, checkOrigin, pageContentSecurityPolicy, SECURITY_HEADERS } from "./http/guards";
import { logger } from "./log";
import { migrateDatabase, pruneAudit } from "./migrate";
import { startLiveState } from "./monitor/live-state";
import { closeRuntime, createRuntime } from "./runtime";
import { createContext } from "./trpc/context";
import { appRouter } from "./trpc/routers/_app";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const log = logger.child({ component: "main" });

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

/** Pages anyone may open, and Next's static files. */
const isOpenPage = (pathname: string) =>
  pathname === "/login" ||
  pathname === "/setup" ||
  pathname.startsWith("/_next/") ||
  pathname === "/favicon.ico";

const sendJson = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
};

const main = async () => {
  let settings: TSettings;
  try {
    settings = await loadSettings();
  } catch (error) {
    if (error instanceof SettingsError) return fail(error.message);
    return fail(`Atelier cannot start: ${(error as Error).message}`);
  }
  try {
    await migrateDatabase(settings.databaseUrl);
  } catch (error) {
    return fail(`Atelier cannot start: ${(error as Error).message}`);
  }

  const runtime = createRuntime(settings);
  // A host network change that was never confirmed (Atelier stopped or crashed while it waited) is undone first.
  await runtime.network
    .recover()
    .catch((error: unknown) => log.error("rolling back unconfirmed network changes failed", { error }));
  // Jobs that were running when Atelier stopped are interrupted; what they half-made is removed.
  await runtime.jobs
    .recover()
    .catch((error: unknown) => log.error("recovering interrupted jobs failed", { error }));
  await mkdir(settings.importDirs[0] ?? path.join(settings.dataDir, "imports"), {
    recursive: true,
    mode: 0o700,
  }).catch(() => undefined);
  // The NAT network comes back with Atelier, as lxc-net's does at boot.
  await runtime.nat.ensure();
  const prune = () =>
    Promise.all([
      pruneAudit(runtime.db, settings.auditRetentionDays),
      runtime.events.prune(settings.eventRetentionDays),
      runtime.metrics.history.prune(),
      runtime.jobs.prune(settings.eventRetentionDays),
    ]).catch((error: unknown) => log.error("pruning failed", { error }));
  const liveState = startLiveState({
    lxcPath: settings.lxcPath,
    containers: runtime.containers,
    events: runtime.events,
    log: logger.child({ component: "monitor" }),
  });
  runtime.metrics.start();
  await prune();
  setInterval(() => void prune(), 60 * 60 * 1000).unref();
  const app = next({ dev: settings.isDev, dir: root, hostname: settings.host, port: settings.port });
  try {
    await app.prepare();
  } catch (error) {
    return fail(
      `Atelier cannot start: the web pages are not built (${(error as Error).message}). Run \`npm run build\` first.`,
    );
  }
  const handlePage = app.getRequestHandler();

  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: "/api/trpc/",
    createContext: ({ req, res }) => createContext({ runtime, req, res }),
    onError: ({ error, path: procedure }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") log.error("api error", { procedure, error: error.message });
    },
  });

  const handleApi = (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    const rejection = checkHost(req, settings.host) ?? checkOrigin(req);
    if (rejection) return sendJson(res, rejection.status, { error: rejection.message });
    if (pathname.startsWith("/api/trpc/")) return trpc(req, res);
    if (pathname === "/api/events" && req.method === "GET") return void handleEventStream(req, res, runtime);
    if (pathname === "/api/uploads/rootfs" && req.method === "POST")
      return void handleUpload(req, res, new URL(req.url ?? "/", "http://localhost"), runtime).catch(
        (error: unknown) => {
          log.error("upload failed", { error });
          if (!res.headersSent) sendJson(res, 500, { error: "The upload failed: see the server log" });
        },
      );
    if (pathname === "/api/health") return sendJson(res, 200, { ok: true });
    return sendJson(res, 404, { error: `No API at ${pathname}` });
  };

  // Every page but sign-in and first-run setup needs a session; without one, the browser is sent to sign in.
  const handleRequest = async (req: IncomingMessage, res: ServerResponse) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/api" || url.pathname.startsWith("/api/")) return handleApi(req, res, url.pathname);
    const rejection = checkHost(req, settings.host);
    if (rejection) return sendJson(res, rejection.status, { error: rejection.message });
    if (!isOpenPage(url.pathname) && !(await principalOf(runtime.accounts, req))) {
      const target =
        (await runtime.accounts.countUsers()) === 0
          ? "/setup"
          : `/login?next=${encodeURIComponent(url.pathname + url.search)}`;
      res.writeHead(303, { Location: target });
      return res.end();
    }
    const policy = pageContentSecurityPolicy(randomBytes(16).toString("base64"), settings.isDev);
    req.headers["content-security-policy"] = policy;
    res.setHeader("Content-Security-Policy", policy);
    return handlePage(req, res);
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handleRequest(req, res).catch((error: unknown) => {
      log.error("request failed", { error });
      if (!res.headersSent) sendJson(res, 500, { error: "Internal error: see the server log" });
    });
  };
  const server = settings.tls ? createHttpsServer(settings.tls, onRequest) : createHttpServer(onRequest);
  // Next's own upgrades (the dev server's hot reload); WebSockets of ours are routed here later.
  const handleUpgrade = app.getUpgradeHandler();
  server.on("upgrade", (req, socket, head) => void handleUpgrade(req, socket, head));

  server.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE")
      fail(
        `Atelier cannot start: PORT ${settings.port} is in use on ${settings.host}; set PORT to a free port`,
      );
    if (error.code === "EADDRNOTAVAIL")
      fail(`Atelier cannot start: HOST ${settings.host} is not an address of this machine`);
    fail(`Atelier cannot start: ${error.message}`);
  });
  const scheme = settings.tls ? "https" : "http";
  const shownHost = ["0.0.0.0", "::"].includes(settings.host) ? os.hostname() : settings.host;
  const baseUrl = `${scheme}://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${settings.port}`;
  if ((await runtime.accounts.countUsers()) === 0) runtime.setup.token = new SetupToken();
  server.listen(settings.port, settings.host, () => {
    log.info("Atelier is listening", {
      url: `${baseUrl}/`,
      host: settings.host,
      lxcPath: settings.lxcPath,
      dataDir: settings.dataDir,
    });
    const token = runtime.setup.token?.token;
    if (token) {
      // The one secret this server ever logs: its holder creates the first admin. It works once, for an hour.
      process.stdout.write(
        `\nNo user exists yet. Create the first admin within an hour at this one-time link:\n\n    ${baseUrl}/setup#token=${token}\n\n` +
          "(or on this machine: npx atelier user add NAME --role admin)\n\n",
      );
    }
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("stopping", { signal });
    server.close();
    server.closeAllConnections();
    void Promise.allSettled([
      liveState.stop(),
      runtime.metrics.stop(),
      runtime.network.close(),
      runtime.jobs.stopAll(),
      app.close(),
    ])
      .then(() => closeRuntime(runtime))
      .finally(() => process.exit(0));
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
};

await main();
