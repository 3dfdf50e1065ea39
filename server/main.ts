/**
 * Atelier's process: validates settings, applies database migrations, then serves the API (/api/*) and the
 * Next.js pages on one HTTP server. Background services (monitor, sampler, jobs) start here in later work.
 *
 * The API is served here rather than from a Next route handler so that all privileged code runs in this one
 * module graph, shares one state table with the background services, and is never part of the Next bundle.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { execa } from "execa";
import next from "next";
import { loadSettings, SettingsError, type TSettings } from "./env";
import { checkHost, checkOrigin, SECURITY_HEADERS } from "./http/guards";
import { logger } from "./log";
import { closeRuntime, createRuntime } from "./runtime";
import { createContext } from "./trpc/context";
import { appRouter } from "./trpc/routers/_app";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const log = logger.child({ component: "main" });

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

const migrate = async (settings: TSettings) => {
  const result = await execa("prisma", ["migrate", "deploy"], {
    cwd: root,
    preferLocal: true,
    localDir: root,
    reject: false,
    env: { DATABASE_URL: settings.databaseUrl },
    timeout: 120_000,
  });
  if (result.exitCode !== 0) {
    fail(
      `Atelier cannot start: database migration failed (DATABASE_URL=${settings.databaseUrl})\n${result.stderr || result.stdout}`,
    );
  }
};

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
  await migrate(settings);

  const runtime = createRuntime(settings);
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
    createContext: ({ req }) => createContext({ runtime, clientAddress: req.socket.remoteAddress ?? null }),
    onError: ({ error, path: procedure }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") log.error("api error", { procedure, error: error.message });
    },
  });

  const handleApi = (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    const rejection = checkHost(req, settings.host) ?? checkOrigin(req);
    if (rejection) return sendJson(res, rejection.status, { error: rejection.message });
    if (pathname.startsWith("/api/trpc/")) return trpc(req, res);
    if (pathname === "/api/health") return sendJson(res, 200, { ok: true });
    return sendJson(res, 404, { error: `No API at ${pathname}` });
  };

  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (pathname === "/api" || pathname.startsWith("/api/")) return handleApi(req, res, pathname);
    const rejection = checkHost(req, settings.host);
    if (rejection) return sendJson(res, rejection.status, { error: rejection.message });
    void handlePage(req, res);
  });
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
  server.listen(settings.port, settings.host, () => {
    const shown = settings.host.includes(":") ? `[${settings.host}]` : settings.host;
    log.info("Atelier is listening", {
      url: `http://${shown}:${settings.port}/`,
      lxcPath: settings.lxcPath,
      dataDir: settings.dataDir,
    });
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("stopping", { signal });
    server.close();
    server.closeAllConnections();
    void Promise.allSettled([closeRuntime(runtime), app.close()]).finally(() => process.exit(0));
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
};

await main();
