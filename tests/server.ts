import { chmod, mkdir, mkdtemp, readdir, readFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { execa, type ResultPromise } from "execa";
import superjson from "superjson";
import { createAccounts } from "@/server/auth/accounts";
import type { TRole } from "@/server/auth/roles";
import { createDb } from "@/server/db";
import { enrollAdmin, makeTicket } from "@/server/helper/admins";
import { migrateDatabase } from "@/server/launcher/migrate";
import { POST_ONLY_QUERIES } from "@/server/trpc/routers/config/config.types";

/**
 * Starts the real Atelier (the launcher, server/launcher/main.ts, as `npm start` does: the helper as root, the web
 * tier as the atelier user) with the given settings. Tests configure it only through the settings a user has.
 */
const root = path.resolve(import.meta.dirname, "..");

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });

/** The direct children of a process, with their command lines. */
const childrenOf = async (pid: number) => {
  const found: { pid: number; command: string }[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => null);
    if (!stat || Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) !== pid) continue;
    const command = (await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "")).replaceAll("\0", " ");
    found.push({ pid: Number(entry), command });
  }
  return found;
};

export type TRunningServer = {
  url: string;
  dataDir: string;
  databaseUrl: string;
  /** The launcher's process id. */
  pid: number | undefined;
  /** The web tier's and the helper's process ids now (the launcher restarts either when it dies). */
  webPid: () => Promise<number | null>;
  helperPid: () => Promise<number | null>;
  /** kill -9 of the web tier alone: the launcher starts it again; resolves once the new one answers. */
  killWebTier: () => Promise<void>;
  /** kill -9 of all of Atelier (launcher, web tier, helper), as a power cut would (`restart` starts it again). */
  crash: () => Promise<void>;
  /** API tokens of the seeded users, one per role (users "admin", "operator", "viewer", password PASSWORD). */
  tokens: Record<TRole, string>;
  output: () => string;
  stop: () => Promise<void>;
  /** Stops the server (SIGTERM) and starts a new one on the same data directory, database and users. */
  restart: () => Promise<TRunningServer>;
};

export const PASSWORD = "correct-horse-battery";

/**
 * Creates one user per role, and a token for each, in a database (as `npx atelier user add` and `token create` run
 * as root would): the admin is also in the helper's own list of admins, and its token carries a ticket.
 */
export const seedUsers = async (databaseUrl: string) => {
  await migrateDatabase(databaseUrl);
  const db = createDb(databaseUrl);
  // DATA/web/atelier.db (or an older install's DATA/atelier.db): the helper's directory is DATA/helper.
  const dbDir = path.dirname(databaseUrl.replace(/^file:/, ""));
  const stateDir = path.join(path.basename(dbDir) === "web" ? path.dirname(dbDir) : dbDir, "helper");
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  try {
    const accounts = createAccounts({ db });
    const tokens = {} as Record<TRole, string>;
    for (const role of ["admin", "operator", "viewer"] as const) {
      const user =
        (await accounts.userByName(role)) ??
        (await accounts.createUser({ username: role, role, password: PASSWORD }));
      // As `atelier token create` run as root: the admin's token carries root's ticket, bound to its secret.
      if (role === "admin") await enrollAdmin(stateDir, role, PASSWORD);
      const ticketFor =
        role === "admin"
          ? (binding: string) => makeTicket(stateDir, role, Date.now() + 24 * 60 * 60 * 1000, binding)
          : undefined;
      tokens[role] = (
        await accounts.createApiToken({ userId: user.id, role, ticketFor }, { name: "tests", role })
      ).token;
    }
    return tokens;
  } finally {
    await db.$disconnect();
  }
};

/**
 * How long a server under test may live before it is killed (SIGTERM, then SIGKILL 5 s later): a hung server still
 * dies, and its tests fail rather than wait forever. The bench, whose server lives through measurements that grow
 * with its containers, raises it (`timeoutMs`).
 */
export const SERVER_TIME_LIMIT_MS = 120_000;

export const runServer = (
  env: Record<string, string>,
  { timeoutMs = SERVER_TIME_LIMIT_MS }: { timeoutMs?: number } = {},
) =>
  execa("node", ["--import", "tsx", "server/launcher/main.ts"], {
    cwd: root,
    // Its temporary files (config checks) in its own data directory: a server killed mid-check (kill -9 tests)
    // leaves nothing in /tmp; the test environment removes the data directory.
    env: {
      NODE_ENV: "production",
      ...(env.ATELIER_DATA_DIR ? { TMPDIR: env.ATELIER_DATA_DIR } : {}),
      ...env,
    },
    reject: false,
    all: true,
    timeout: timeoutMs,
  });

export type TStartOptions = {
  /** Seed one user per role, with a token each (default); false: a first run, no user at all. */
  withUsers?: boolean;
  scheme?: "http" | "https";
  /** The launcher is killed after this long (default SERVER_TIME_LIMIT_MS). */
  timeoutMs?: number;
  reuse?: Pick<TRunningServer, "dataDir" | "databaseUrl" | "tokens">;
};

export const startServer = async (
  env: Record<string, string> = {},
  { withUsers = true, scheme = "http", timeoutMs, reuse }: TStartOptions = {},
): Promise<TRunningServer> => {
  const port = await freePort();
  const dataDir =
    reuse?.dataDir ?? (await mkdtemp(path.join(process.env.ATELIER_DATA_DIR ?? "/tmp", "server-")));
  // The web tier (user atelier) reaches its web/ through the data directory (the launcher makes it 0711 too).
  await chmod(dataDir, 0o711);
  await mkdir(path.join(dataDir, "web"), { recursive: true, mode: 0o700 });
  const databaseUrl = reuse?.databaseUrl ?? `file:${path.join(dataDir, "web", "atelier.db")}`;
  const tokens = reuse?.tokens ?? (withUsers ? await seedUsers(databaseUrl) : ({} as Record<TRole, string>));
  const child: ResultPromise = runServer(
    { PORT: String(port), ATELIER_DATA_DIR: dataDir, DATABASE_URL: databaseUrl, ...env },
    { timeoutMs },
  );
  let output = "";
  child.all?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `${scheme}://127.0.0.1:${port}`;
  const waitHealthy = async (listenedBefore: number) => {
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited during start-up:\n${output}`);
      // fetch() cannot be told to accept a self-signed certificate: over HTTPS, wait for the server's own word.
      const healthy =
        scheme === "https"
          ? output.split("Atelier is listening").length - 1 > listenedBefore
          : await fetch(`${url}/api/health`)
              .then((r) => r.ok)
              .catch(() => false);
      if (healthy) break;
      if (Date.now() > deadline) throw new Error(`the server did not answer within 90 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  // A server that never answered is stopped here: the caller has nothing to stop it with.
  await waitHealthy(0).catch(async (error: unknown) => {
    child.kill("SIGTERM");
    await child;
    throw error;
  });
  const childWith = async (needle: string) =>
    (await childrenOf(child.pid ?? -1)).find((entry) => entry.command.includes(needle))?.pid ?? null;
  const webPid = () => childWith("server/main.ts");
  const helperPid = () => childWith("server/helper/main.ts");
  const stop = async () => {
    child.kill("SIGTERM");
    await child;
  };
  return {
    url,
    dataDir,
    databaseUrl,
    tokens,
    pid: child.pid,
    webPid,
    helperPid,
    killWebTier: async () => {
      const pid = await webPid();
      if (!pid) throw new Error("no web tier is running");
      const listened = output.split("Atelier is listening").length - 1;
      process.kill(pid, "SIGKILL");
      // The next one listening: the launcher restarts it after a pause.
      for (let waited = 0; output.split("Atelier is listening").length - 1 <= listened; waited += 1) {
        if (waited > 600) throw new Error(`the web tier was not started again:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await waitHealthy(listened);
    },
    crash: async () => {
      const pids = [child.pid, await webPid(), await helperPid()].filter((pid): pid is number =>
        Boolean(pid),
      );
      for (const pid of pids) process.kill(pid, "SIGKILL");
      await child.catch(() => undefined);
      // Until the web tier and the helper are gone too (they may take a moment to die).
      for (let waited = 0; waited < 100; waited += 1) {
        const alive = pids.filter((pid) => {
          try {
            process.kill(pid, 0);
            return true;
          } catch {
            return false;
          }
        });
        if (alive.length === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    output: () => output,
    stop,
    restart: async () => {
      await stop();
      return startServer(env, { withUsers, scheme, timeoutMs, reuse: { dataDir, databaseUrl, tokens } });
    },
  };
};

type TTrpcError = {
  message: string;
  data: { code: string; httpStatus: number; field: string | null; hint: string | null };
};

/**
 * Calls a procedure over HTTP as any client would (superjson envelope), returning status and body; `as` picks the
 * seeded user whose token is sent (null: no credentials).
 */
export const callProcedure = async (
  server: Pick<TRunningServer, "url" | "tokens">,
  procedure: string,
  input: unknown,
  {
    kind = "mutation",
    as = "operator",
    headers: extraHeaders = {},
  }: { kind?: "query" | "mutation"; as?: TRole | null; headers?: Record<string, string> } = {},
) => {
  const headers = { ...(as ? { authorization: `Bearer ${server.tokens[as]}` } : {}), ...extraHeaders };
  // As the tRPC client sends it: superjson keeps Dates (and the like) typed.
  const envelope = JSON.stringify(superjson.serialize(input));
  // A query whose input may hold secrets goes as POST, as the pages send it (the server refuses a GET of it).
  const response =
    kind === "query" && !POST_ONLY_QUERIES.includes(procedure)
      ? await fetch(`${server.url}/api/trpc/${procedure}?input=${encodeURIComponent(envelope)}`, { headers })
      : await fetch(`${server.url}/api/trpc/${procedure}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: envelope,
        });
  const body = (await response.json()) as {
    result?: { data: { json: unknown } };
    error?: { json: TTrpcError };
  };
  return { status: response.status, data: body.result?.data.json, error: body.error?.json };
};
