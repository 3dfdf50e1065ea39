/**
 * The web tier (user `atelier`, no capabilities, no_new_privs: the launcher, server/launcher/main.ts, starts it so):
 * validates settings, then serves the API (/api/*) and the Next.js pages on one HTTP server, on the listening
 * socket the launcher hands over, and runs the background services (live state, sampler, jobs). Everything
 * privileged is a call to the helper (server/helper/) over its unix socket.
 *
 * The API is served here rather than from a Next route handler so that the services share one state table and one
 * helper connection, and none of it is part of the Next bundle.
 */
import { randomBytes } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Server, Socket } from "node:net";
import type { Duplex } from "node:stream";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import next from "next";
import { principalOf } from "./auth/principal";
import { removeSetupTokenFile, SetupToken, setupTokenFile, writeSetupTokenFile } from "./auth/setup-token";
import { loadSettings, SETTINGS_EXIT_CODE, SettingsError, type TSettings } from "./env";
import { createConsoleSocket } from "./http/console-socket";
import { handleEventStream } from "./http/event-stream";
import { handlePrometheus } from "./http/prometheus";
import { RequestStats, routeKindOf } from "./http/request-stats";
import { HTTP_ROUTES, matchRoute, type THttpRoute } from "./http/routes";
import { openLocalSocket } from "./http/local-socket";
import { handleFileDownload, handleFileUpload } from "./http/files";
import { handleUpload } from "./http/upload";
import {
  checkHost,
  checkOrigin,
  HSTS,
  isLoopbackAddress,
  pageContentSecurityPolicy,
  SECURITY_HEADERS,
} from "./http/guards";
import { ensureTls, hostNames } from "./http/tls";
import { LOCALE_HEADER } from "./i18n/locales";
import { negotiateLocale } from "./i18n/negotiate";
import { logger } from "./log";
import { pruneAudit } from "./auth/audit-retention";
import { createHelper } from "./helper-client";
import { openHelperMonitor } from "./monitor/helper-monitor";
import { startLiveState } from "./monitor/live-state";
import { localSocketPathOf } from "./layout";
import { closeRuntime, createRuntime } from "./runtime";
import { createContext } from "./trpc/context";
import { appRouter } from "./trpc/routers/_app";
import { POST_ONLY_QUERIES } from "./trpc/routers/config/config.types";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const log = logger.child({ component: "main" });

const fail = (message: string, code = 1): never => {
  process.stderr.write(`${message}\n`);
  process.exit(code);
};

/**
 * The files of public/ a browser fetches before anyone signs in: the icons (of the sign-in page too, and of a panel
 * pinned to a phone's home screen), the web app manifest, and robots.txt. Nothing else in public/ is open.
 */
const PUBLIC_FILES = new Set([
  "/favicon.ico",
  "/icon.svg",
  "/icon-192.png",
  "/icon-512.png",
  "/apple-touch-icon.png",
  "/manifest.webmanifest",
  "/robots.txt",
]);

/** Pages anyone may open, and Next's static files. */
const isOpenPage = (pathname: string) =>
  pathname === "/login" ||
  pathname === "/setup" ||
  pathname.startsWith("/_next/") ||
  PUBLIC_FILES.has(pathname);

/** Request bodies of /api/trpc: a config is at most 256 KiB; nothing legitimate comes near 1 MiB. */
const MAX_API_BODY = 1024 * 1024;
/** Calls in one tRPC batch. */
const MAX_BATCH = 10;

/**
 * Before tRPC reads anything: a body over the limit is 413; a batch is at most MAX_BATCH calls and never holds a
 * sign-in call (each guess must be its own request, counted and throttled as such).
 */
const checkTrpcRequest = (req: IncomingMessage, pathname: string) => {
  const length = Number(req.headers["content-length"] ?? "0");
  if (Number.isFinite(length) && length > MAX_API_BODY)
    return { status: 413, message: `Request bodies are limited to ${MAX_API_BODY} bytes` };
  let names: string[];
  try {
    names = decodeURIComponent(pathname.slice("/api/trpc/".length)).split(",");
  } catch {
    return { status: 400, message: "The procedure name is not valid URL encoding" };
  }
  if (names.length > MAX_BATCH) return { status: 400, message: `A batch holds at most ${MAX_BATCH} calls` };
  if (names.length > 1 && names.some((name) => name.startsWith("auth.")))
    return { status: 400, message: "auth.* procedures cannot be batched: send each on its own" };
  if (req.method === "GET" && names.some((name) => POST_ONLY_QUERIES.includes(name)))
    return {
      status: 405,
      message: `${names.join(", ")}: send it as POST (its input may hold secrets, which a URL would keep)`,
    };
  return null;
};

/**
 * This machine's names and addresses (and ATELIER_ALLOWED_HOSTS), for the Host check. Addresses change (a bridge
 * is created, DHCP renews): re-read when a name is not found, at most every 5 s.
 */
const machineNames = (extra: string[]) => {
  let known = new Set<string>();
  let readAt = 0;
  const refresh = () => {
    const names = hostNames();
    known = new Set([...names.dns, ...names.ips, ...extra].map((name) => name.toLowerCase()));
    readAt = Date.now();
  };
  return (hostname: string) => {
    if (known.has(hostname)) return true;
    if (Date.now() - readAt < 5000 && readAt !== 0) return false;
    refresh();
    return known.has(hostname);
  };
};

const sendJson = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
};

const main = async () => {
  let settings: TSettings;
  try {
    const loaded = await loadSettings();
    // HTTPS by default beyond loopback: the configured certificate, or a self-signed one made in the data directory.
    const tls = await ensureTls({
      configured: loaded.tls,
      host: loaded.host,
      allowHttp: loaded.allowHttp,
      dataDir: loaded.webDir,
    });
    settings = Object.freeze({ ...loaded, tls });
  } catch (error) {
    // A settings problem is not cured by a restart: the launcher stops on this exit code.
    if (error instanceof SettingsError) return fail(error.message, SETTINGS_EXIT_CODE);
    return fail(`Atelier cannot start: ${(error as Error).message}`, SETTINGS_EXIT_CODE);
  }
  if (!settings.tls && !isLoopbackAddress(settings.host))
    log.warn(
      "serving plain HTTP beyond loopback (ATELIER_ALLOW_HTTP): passwords cross the network unencrypted",
    );
  const isThisMachine = machineNames(settings.allowedHosts);
  if (process.getuid?.() === 0)
    log.warn(
      "the web tier runs as root: start Atelier with `npm start` (its launcher runs the web tier as atelier)",
    );

  // The root helper runs every privileged operation; see server/helper/. The launcher started it.
  const helper = createHelper(settings.helperSocket);
  const procedures = new Set(Object.keys(appRouter._def.procedures));
  const runtime = createRuntime(settings, {
    isProcedure: (name) => procedures.has(name) || Object.hasOwn(HTTP_ROUTES, name),
    helper,
  });
  // A host network change that was never confirmed (Atelier stopped or crashed while it waited) is undone first.
  await runtime.network
    .recover()
    .catch((error: unknown) => log.error("rolling back unconfirmed network changes failed", { error }));
  // Jobs that were running when Atelier stopped are interrupted; what they half-made is removed.
  await runtime.jobs
    .recover()
    .catch((error: unknown) => log.error("recovering interrupted jobs failed", { error }));
  // The NAT network comes back with Atelier, as lxc-net's does at boot.
  await runtime.nat.ensure();
  const prune = () =>
    Promise.all([
      pruneAudit(runtime.db, settings.auditRetentionDays),
      runtime.events.prune(settings.eventRetentionDays),
      runtime.metrics.history.prune(),
      runtime.metrics.hostHistory.prune(),
      runtime.jobs.prune(settings.eventRetentionDays),
      helper.upload.prune({}),
    ]).catch((error: unknown) => log.error("pruning failed", { error }));
  const liveState = startLiveState({
    openMonitor: openHelperMonitor(helper),
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
    maxBodySize: MAX_API_BODY,
    // Queries may come as POST (POST_ONLY_QUERIES must): their input then stays out of the URL.
    allowMethodOverride: true,
    createContext: ({ req, res }) => createContext({ runtime, req, res }),
    onError: ({ error, path: procedure, ctx }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") log.error("api error", { procedure, error: error.message });
      // A procedure the router does not have never reaches the audit middleware: a stranger's probe is counted here.
      if (error.code === "NOT_FOUND" && ctx && !ctx.principal && !procedures.has(procedure ?? ""))
        void runtime.anonymousRefusals
          .record(ctx.clientAddress, procedure ?? "", "NOT_FOUND")
          .catch(() => undefined);
    },
  });

  const requests = new RequestStats();
  // Every route of HTTP_ROUTES, and only those (each checks its callers as the table says).
  const httpRoutes: Record<
    THttpRoute,
    (req: IncomingMessage, res: ServerResponse, params: Record<string, string>) => void
  > = {
    "GET /api/health": (_req, res) => sendJson(res, 200, { ok: true }),
    "GET /api/events": (req, res) => void handleEventStream(req, res, runtime),
    "POST /api/uploads/rootfs": (req, res) =>
      void handleUpload(req, res, new URL(req.url ?? "/", "http://localhost"), runtime).catch(
        (error: unknown) => {
          log.error("upload failed", { error });
          if (!res.headersSent) sendJson(res, 500, { error: "The upload failed: see the server log" });
        },
      ),
    "GET /metrics": (req, res) =>
      void handlePrometheus(req, res, runtime, requests).catch((error: unknown) => {
        log.error("metrics scrape failed", { error });
        if (!res.headersSent) sendJson(res, 500, { error: "The scrape failed: see the server log" });
      }),
    "GET /api/containers/:name/files": (req, res, params) =>
      void handleFileDownload(req, res, params, runtime).catch((error: unknown) =>
        failedStream(res, "download", error),
      ),
    "PUT /api/containers/:name/files": (req, res, params) =>
      void handleFileUpload(req, res, params, runtime).catch((error: unknown) =>
        failedStream(res, "upload", error),
      ),
  };
  /** A file transfer that failed past its own error handling: logged; an answer begun is cut off. */
  const failedStream = (res: ServerResponse, what: string, error: unknown) => {
    log.error(`file ${what} failed`, { error });
    if (!res.headersSent) sendJson(res, 500, { error: `The ${what} failed: see the server log` });
    else res.destroy();
  };

  const handleApi = (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    // Answers about containers, users and tokens are never kept by a browser or a proxy.
    res.setHeader("Cache-Control", "no-store");
    const rejection = checkHost(req, settings.host, isThisMachine) ?? checkOrigin(req);
    if (rejection) return sendJson(res, rejection.status, { error: rejection.message });
    if (pathname.startsWith("/api/trpc/")) {
      const refusal = checkTrpcRequest(req, pathname);
      if (refusal) return sendJson(res, refusal.status, { error: refusal.message });
      return trpc(req, res);
    }
    const found = matchRoute(req.method ?? "GET", pathname);
    if (found) return httpRoutes[found.route](req, res, found.params);
    return sendJson(res, 404, { error: `No API at ${pathname}` });
  };

  // Every page but sign-in and first-run setup needs a session; without one, the browser is sent to sign in.
  const handleRequest = async (req: IncomingMessage, res: ServerResponse) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if (settings.tls) res.setHeader("Strict-Transport-Security", HSTS);
    const url = new URL(req.url ?? "/", "http://localhost");
    res.on("close", () => requests.record(routeKindOf(url.pathname), res.statusCode));
    if (url.pathname === "/api" || url.pathname.startsWith("/api/")) return handleApi(req, res, url.pathname);
    if (url.pathname === "/metrics") {
      // Prometheus' scrape: the API's Host check and no caching; a token or a session, never a redirect to sign in.
      res.setHeader("Cache-Control", "no-store");
      const refused = checkHost(req, settings.host, isThisMachine);
      if (refused) return sendJson(res, refused.status, { error: refused.message });
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.setHeader("Allow", "GET");
        return sendJson(res, 405, { error: "/metrics answers GET only" });
      }
      return httpRoutes["GET /metrics"](req, res, {});
    }
    const rejection = checkHost(req, settings.host, isThisMachine);
    if (rejection) return sendJson(res, rejection.status, { error: rejection.message });
    const isPage = !url.pathname.startsWith("/_next/") && !PUBLIC_FILES.has(url.pathname);
    const principal = isPage ? await principalOf(runtime.accounts, req) : null;
    if (!isOpenPage(url.pathname) && !principal) {
      const target =
        (await runtime.accounts.countUsers()) === 0
          ? "/setup"
          : `/login?next=${encodeURIComponent(url.pathname + url.search)}`;
      res.writeHead(303, { Location: target });
      return res.end();
    }
    const policy = pageContentSecurityPolicy(randomBytes(16).toString("base64"), settings.isDev);
    req.headers["content-security-policy"] = policy;
    // The page's language, for components/i18n/request.ts: the user's choice, else the browser's. Whatever a
    // client sent under this name is replaced, never trusted.
    req.headers[LOCALE_HEADER] = negotiateLocale(principal?.locale, req.headers["accept-language"]);
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
  // The console's WebSocket (/api/console), else Next's own upgrades (the dev server's hot reload).
  const handleUpgrade = app.getUpgradeHandler();
  const handleConsole = createConsoleSocket(runtime, (req) => checkHost(req, settings.host, isThisMachine));
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    handleConsole(req, socket, head)
      .then((isOurs) => (isOurs ? undefined : handleUpgrade(req, socket, head)))
      .catch((error: unknown) => {
        log.error("upgrade failed", { error });
        socket.destroy();
      });
  };
  server.on("upgrade", onUpgrade);
  // Root on the host, for the CLI without a token: the same handlers on a unix socket only root and this user reach.
  const localSocket = await openLocalSocket({
    file: localSocketPathOf(settings.dataDir),
    onRequest,
    onUpgrade,
    log: logger.child({ component: "local-socket" }),
  });

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
  if ((await runtime.accounts.countUsers()) === 0) {
    runtime.setup.token = new SetupToken();
    await writeSetupTokenFile(settings.webDir, runtime.setup.token.token ?? "");
  } else await removeSetupTokenFile(settings.webDir);
  const onListening = () => {
    log.info("Atelier is listening", {
      url: `${baseUrl}/`,
      ...(settings.tls?.fingerprint ? { tlsFingerprint: settings.tls.fingerprint } : {}),
      host: settings.host,
      lxcPath: settings.lxcPath,
      dataDir: settings.dataDir,
    });
    const token = runtime.setup.token?.token;
    if (token) {
      // The one secret this server ever logs: its holder creates the first admin. It works once, for an hour.
      const fingerprint = settings.tls?.isGenerated
        ? `The certificate is self-signed: check that your browser shows this SHA-256 fingerprint before you go on:\n\n    ${settings.tls.fingerprint}\n\n`
        : "";
      process.stdout.write(
        `\nNo user exists yet. Create the first admin within an hour at this one-time link:\n\n    ${baseUrl}/setup#token=${token}\n\n` +
          fingerprint +
          `(The token is also in ${setupTokenFile(settings.webDir)}, readable by root and the ${settings.webUser} user only; or, on this machine: npx atelier user add NAME --role admin)\n\n`,
      );
    }
  };
  // Under the launcher, the port is bound by it (root may bind below 1024) and handed over on the IPC channel;
  // started directly (a development run as any user), the web tier binds it itself.
  if (process.send) {
    process.on("message", (message: { type?: string }, handle: unknown) => {
      if (message.type === "listen" && handle) server.listen(handle as Server, onListening);
      // One the launcher accepted before this process took the socket over.
      if (message.type === "connection" && handle) server.emit("connection", handle as Socket);
    });
    // The launcher gone, nothing supervises this process: it stops (the parent-death signal does too).
    process.on("disconnect", () => stop("launcher gone"));
    process.send({ type: "ready-for-socket" });
  } else server.listen(settings.port, settings.host, onListening);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("stopping", { signal });
    server.close();
    server.closeAllConnections();
    localSocket?.close();
    localSocket?.closeAllConnections();
    void Promise.allSettled([
      liveState.stop(),
      runtime.metrics.stop(),
      runtime.network.close(),
      runtime.jobs.stopAll(),
      Promise.resolve(runtime.consoles.stopAll()),
      app.close(),
    ])
      .then(() => closeRuntime(runtime))
      .then(() => helper.close())
      .finally(() => process.exit(0));
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
};

await main();
