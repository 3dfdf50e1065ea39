import { mkdtemp } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { execa, type ResultPromise } from "execa";

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
  output: () => string;
  stop: () => Promise<void>;
};

export const runServer = (env: Record<string, string>) =>
  execa("node", ["--import", "tsx", "server/main.ts"], {
    cwd: root,
    env: { NODE_ENV: "production", ...env },
    reject: false,
    all: true,
    timeout: 120_000,
  });

export const startServer = async (env: Record<string, string> = {}): Promise<TRunningServer> => {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(process.env.ATELIER_DATA_DIR ?? "/tmp", "server-"));
  const databaseUrl = `file:${path.join(dataDir, "atelier.db")}`;
  const child: ResultPromise = runServer({
    PORT: String(port),
    ATELIER_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    ...env,
  });
  let output = "";
  child.all?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited during start-up:\n${output}`);
    const healthy = await fetch(`${url}/api/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (healthy) break;
    if (Date.now() > deadline) throw new Error(`the server did not answer within 90 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    dataDir,
    databaseUrl,
    output: () => output,
    stop: async () => {
      child.kill("SIGTERM");
      await child;
    },
  };
};

type TTrpcError = {
  message: string;
  data: { code: string; httpStatus: number; field: string | null; hint: string | null };
};

/** Calls a procedure over HTTP as any client would (superjson envelope), returning status and body. */
export const callProcedure = async (
  server: Pick<TRunningServer, "url">,
  procedure: string,
  input: unknown,
  { kind = "mutation", headers = {} }: { kind?: "query" | "mutation"; headers?: Record<string, string> } = {},
) => {
  const envelope = JSON.stringify({ json: input });
  const response =
    kind === "query"
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
