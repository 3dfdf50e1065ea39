import { mkdtemp } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { execa, type ResultPromise } from "execa";
import superjson from "superjson";
import { createAccounts } from "@/server/auth/accounts";
import type { TRole } from "@/server/auth/roles";
import { createDb } from "@/server/db";
import { migrateDatabase } from "@/server/migrate";
import { POST_ONLY_QUERIES } from "@/server/trpc/routers/config/config.types";

/**
 * Starts the real Atelier server (server/main.ts, as `npm start` does) with the given settings. Tests configure it
 * only through the settings a user has.
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

export type TRunningServer = {
  url: string;
  dataDir: string;
  databaseUrl: string;
  /** The server's process id. */
  pid: number | undefined;
  /** API tokens of the seeded users, one per role (users "admin", "operator", "viewer", password PASSWORD). */
  tokens: Record<TRole, string>;
  output: () => string;
  stop: () => Promise<void>;
  /** Stops the server (SIGTERM) and starts a new one on the same data directory, database and users. */
  restart: () => Promise<TRunningServer>;
};

export const PASSWORD = "correct-horse-battery";

/** Creates one user per role, and a token for each, in a database (as `npx atelier user add` would). */
export const seedUsers = async (databaseUrl: string) => {
  await migrateDatabase(databaseUrl);
  const db = createDb(databaseUrl);
  try {
    const accounts = createAccounts({ db });
    const tokens = {} as Record<TRole, string>;
    for (const role of ["admin", "operator", "viewer"] as const) {
      const user =
        (await accounts.userByName(role)) ??
        (await accounts.createUser({ username: role, role, password: PASSWORD }));
      tokens[role] = (
        await accounts.createApiToken({ userId: user.id, role }, { name: "tests", role })
      ).token;
    }
    return tokens;
  } finally {
    await db.$disconnect();
  }
};

export const runServer = (env: Record<string, string>) =>
  execa("node", ["--import", "tsx", "server/main.ts"], {
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
    timeout: 120_000,
  });

export const startServer = async (
  env: Record<string, string> = {},
  {
    withUsers = true,
    scheme = "http",
    reuse,
  }: {
    withUsers?: boolean;
    scheme?: "http" | "https";
    reuse?: Pick<TRunningServer, "dataDir" | "databaseUrl" | "tokens">;
  } = {},
): Promise<TRunningServer> => {
  const port = await freePort();
  const dataDir =
    reuse?.dataDir ?? (await mkdtemp(path.join(process.env.ATELIER_DATA_DIR ?? "/tmp", "server-")));
  const databaseUrl = reuse?.databaseUrl ?? `file:${path.join(dataDir, "atelier.db")}`;
  const tokens = reuse?.tokens ?? (withUsers ? await seedUsers(databaseUrl) : ({} as Record<TRole, string>));
  const child: ResultPromise = runServer({
    PORT: String(port),
    ATELIER_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    ...env,
  });
  let output = "";
  child.all?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `${scheme}://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited during start-up:\n${output}`);
    // fetch() cannot be told to accept a self-signed certificate: over HTTPS, wait for the server's own word.
    const healthy =
      scheme === "https"
        ? output.includes("Atelier is listening")
        : await fetch(`${url}/api/health`)
            .then((r) => r.ok)
            .catch(() => false);
    if (healthy) break;
    if (Date.now() > deadline) throw new Error(`the server did not answer within 90 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
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
    output: () => output,
    stop,
    restart: async () => {
      await stop();
      return startServer(env, { withUsers, scheme, reuse: { dataDir, databaseUrl, tokens } });
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
