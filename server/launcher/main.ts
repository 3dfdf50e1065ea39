/**
 * `atelier`, the launcher (root): what `npm start` runs. It validates the settings, prepares the data directory
 * (server/launcher/data-dir.ts), applies database migrations as the web user, starts the helper (root, the only
 * privileged process: server/helper/) and the web tier (server/main.ts) as the system user `atelier` with no
 * capabilities and no_new_privs, binds the port itself (so that a port below 1024 works) and hands the listening
 * socket to the web tier. It restarts either child when it dies (after a pause that grows while it keeps dying) and
 * stops both on SIGTERM or SIGINT: the web tier first, then the helper.
 */
import { constants } from "node:fs";
import { lchown, lstat, mkdir, open, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
// node:child_process, not execa: only its IPC channel hands a listening socket over (subprocess.send's handle).
// eslint-disable-next-line no-restricted-imports
import { spawn, type ChildProcess } from "node:child_process";
import { loadSettings, SettingsError, type TSettings } from "../env";
import { helperStateDirOf, uploadSpoolOf } from "../layout";
import { logger } from "../log";
import { lxcDefaultPath } from "../lxc/tools";
import { startHelper } from "../helper/spawn";
import { chownTree, prepareDataDir, resolveWebUser, type TWebUser } from "./data-dir";
import { migrateDatabase } from "./migrate";
import { SETTINGS_EXIT_CODE } from "../env";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const log = logger.child({ component: "launcher" });

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

/** The pause before a restart: 1 s, doubling up to 30 s while the child keeps dying within a minute of starting. */
const backoff = () => {
  let delay = 1000;
  let startedAt = 0;
  return {
    started: () => (startedAt = Date.now()),
    next: () => {
      if (Date.now() - startedAt > 60_000) delay = 1000;
      const current = delay;
      delay = Math.min(delay * 2, 30_000);
      return current;
    },
  };
};

const listen = (settings: TSettings) =>
  new Promise<Server>((resolve, reject) => {
    // Paused: a connection accepted here (before the web tier took the socket over) is handed over unread.
    const server = createServer({ pauseOnConnect: true });
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === "EADDRINUSE"
            ? `PORT ${settings.port} is in use on ${settings.host}; set PORT to a free port`
            : error.code === "EADDRNOTAVAIL"
              ? `HOST ${settings.host} is not an address of this machine`
              : error.message,
        ),
      ),
    );
    server.listen({ port: settings.port, host: settings.host }, () => resolve(server));
  });

/**
 * The web tier as the web user: no capabilities (none permitted, inherited, ambient or in the bounding set),
 * no_new_privs (no setuid program can give any back), no supplementary groups, its own parent-death signal.
 */
/**
 * A configured certificate and key (ATELIER_TLS_CERT/KEY) are often root's alone (/etc/ssl/private): the launcher
 * read them, and gives the web tier its own copies in web/ (0600), which it needs to serve HTTPS anyway.
 */
const copyConfiguredTls = async (settings: TSettings, user: TWebUser): Promise<Record<string, string>> => {
  if (!settings.tls) return {};
  // web/ is the web tier's: whatever it left at this name (a link to a host directory, say) is removed, never
  // followed, and the copies are created without following a link (no web tier runs while the launcher does this).
  const dir = path.join(settings.webDir, "tls-configured");
  const found = await lstat(dir).catch(() => null);
  if (found && !found.isDirectory()) await rm(dir, { force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const files = { cert: path.join(dir, "cert.pem"), key: path.join(dir, "key.pem") };
  for (const [name, file] of Object.entries(files) as ["cert" | "key", string][]) {
    await rm(file, { force: true, recursive: true });
    const handle = await open(
      file,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    );
    try {
      await handle.writeFile(settings.tls[name]);
      await handle.chown(user.uid, user.gid);
    } finally {
      await handle.close();
    }
  }
  await lchown(dir, user.uid, user.gid);
  return { ATELIER_TLS_CERT: files.cert, ATELIER_TLS_KEY: files.key };
};

const startWebTier = (
  settings: TSettings,
  user: TWebUser,
  helperSocket: string,
  extraEnv: Record<string, string>,
) =>
  spawn(
    "setpriv",
    [
      `--reuid=${user.uid}`,
      `--regid=${user.gid}`,
      "--clear-groups",
      "--no-new-privs",
      "--inh-caps=-all",
      "--bounding-set=-all",
      "--pdeathsig",
      "TERM",
      "--",
      process.execPath,
      "--import",
      "tsx",
      path.join(root, "server/main.ts"),
    ],
    {
      cwd: root,
      // The IPC channel carries the listening socket over (and nothing else).
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: {
        ...process.env,
        ...extraEnv,
        ATELIER_HELPER_SOCKET: helperSocket,
        ATELIER_LXC_PATH: settings.lxcPath,
        HOME: settings.webDir,
        // Its temporary files in its own directory (tsx's cache among them), not in a TMPDIR it may not write.
        TMPDIR: path.join(settings.webDir, "tmp"),
        USER: user.name,
        LOGNAME: user.name,
      },
    },
  );

const main = async () => {
  if (process.getuid?.() !== 0)
    return fail(
      "Atelier must be started as root (sudo npm start): its launcher starts the root helper and the web tier as the atelier user",
    );
  let settings: TSettings;
  let user: TWebUser;
  let tlsEnv: Record<string, string>;
  try {
    settings = await loadSettings(process.env, { defaultLxcPath: lxcDefaultPath });
    user = await resolveWebUser(settings.webUser);
    const { moved } = await prepareDataDir(settings.dataDir, user);
    if (moved.length > 0)
      log.info("data directory migrated to the privilege split's layout", { moved, to: settings.webDir });
    await migrateDatabase(settings.databaseUrl, { uid: user.uid, gid: user.gid });
    tlsEnv = await copyConfiguredTls(settings, user);
    // Development: Next's dev server, in the web tier, writes its build directory and next-env.d.ts.
    if (settings.isDev) {
      await mkdir(path.join(root, ".next"), { recursive: true });
      await chownTree(path.join(root, ".next"), user.uid, user.gid);
      await lchown(path.join(root, "next-env.d.ts"), user.uid, user.gid).catch(() => undefined);
    }
  } catch (error) {
    if (error instanceof SettingsError) return fail(error.message);
    return fail(`Atelier cannot start: ${(error as Error).message}`);
  }

  let stopping = false;
  const helperStart = {
    socketPath: settings.helperSocket,
    stateDir: helperStateDirOf(settings.dataDir),
    uploadSpool: uploadSpoolOf(settings.dataDir),
    hostRoot: settings.hostRoot,
    lxcPath: settings.lxcPath,
    containerConfig: settings.containerConfig,
    lxcCache: settings.lxcCache,
    importDirs: settings.importDirs,
    bindRoots: settings.bindRoots,
    idmapPool: settings.idmapPool,
    idmapMethod: settings.idmapMethod,
    allowUid: user.uid,
    socketGroup: user.gid,
  };
  let helper: Awaited<ReturnType<typeof startHelper>>;
  try {
    helper = await startHelper(helperStart);
  } catch (error) {
    return fail(`Atelier cannot start: ${(error as Error).message}`);
  }
  const helperBackoff = backoff();
  helperBackoff.started();
  const superviseHelper = (current: typeof helper) => {
    void current.exited.then(async (code) => {
      if (stopping) return;
      const delay = helperBackoff.next();
      log.error("the helper exited; starting it again", { code, inMs: delay });
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (stopping) return;
      try {
        helper = await startHelper(helperStart);
        helperBackoff.started();
        superviseHelper(helper);
      } catch (error) {
        log.error("the helper could not be started again", { error });
        superviseHelper(current);
      }
    });
  };
  superviseHelper(helper);

  let web: ChildProcess | null = null;
  let webExited: Promise<unknown> = Promise.resolve();
  const webBackoff = backoff();
  const runWebTier = async () => {
    // The port is bound here (root may bind below 1024), handed over, and closed here: only the web tier accepts.
    let server: Server;
    try {
      server = await listen(settings);
    } catch (error) {
      return fail(`Atelier cannot start: ${(error as Error).message}`);
    }
    const child = startWebTier(settings, user, settings.helperSocket, tlsEnv);
    web = child;
    webBackoff.started();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    webExited = exited;
    // Connections this process accepted meanwhile (it listens too until it closes) go to the web tier as they are.
    let ready = false;
    const waiting: Socket[] = [];
    const forward = (socket: Socket) => child.send({ type: "connection" }, socket, () => socket.destroy());
    server.on("connection", (socket: Socket) => (ready ? forward(socket) : waiting.push(socket)));
    child.on("message", (message: unknown) => {
      if ((message as { type?: string }).type !== "ready-for-socket") return;
      child.send({ type: "listen" }, server, () => {
        ready = true;
        for (const socket of waiting.splice(0)) forward(socket);
        server.close();
      });
    });
    const result = await exited;
    server.close();
    if (stopping) return;
    // Its settings are wrong (it said so): starting it again would fail the same way.
    if (result.code === SETTINGS_EXIT_CODE) {
      log.error("the web tier refused its settings; stopping");
      stopping = true;
      await helper.stop();
      process.exit(1);
    }
    const delay = webBackoff.next();
    log.error("the web tier exited; starting it again", {
      code: result.code,
      signal: result.signal,
      inMs: delay,
    });
    await new Promise((resolve) => setTimeout(resolve, delay));
    if (!stopping) void runWebTier();
  };
  void runWebTier();
  log.info("started", { helper: helper.pid, user: user.name, dataDir: settings.dataDir });

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("stopping", { signal });
    const child = web;
    const killTimer = setTimeout(() => child?.kill("SIGKILL"), 20_000);
    child?.kill("SIGTERM");
    void webExited
      .then(() => clearTimeout(killTimer))
      .then(() => helper.stop())
      .finally(() => process.exit(0));
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
};

await main();
