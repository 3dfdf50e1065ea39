import { randomBytes } from "node:crypto";
import { chmod, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { forceDestroy } from "./lxc-oracle";
import { startServer, type TRunningServer, type TStartOptions } from "./server";

export type TServerFixture = TRunningServer & {
  /** Containers the file made: destroyed once the server has stopped, the last made first (clones before origins). */
  made: string[];
  /**
   * With `hostDir: true`, a directory standing for the host (outside the lxcpath and every rootfs), readable by all
   * as a host's is (the web tier, user atelier, browses bind roots): made before the server starts, removed at the
   * end. Its path is known at once, so a file may read it outside its tests.
   */
  hostDir: string;
};

export type TUseServerOptions = Omit<TStartOptions, "reuse"> & {
  /** The server's settings, the environment a user sets; a function when they name the host directory. */
  env?: Record<string, string> | ((fixture: TServerFixture) => Record<string, string>);
  hostDir?: boolean;
  /** Runs before the server starts (the host directory exists by then): what the server must find at start. */
  beforeStart?: (fixture: TServerFixture) => void | Promise<void>;
  /** Runs after the server has stopped and the containers are gone, before the host directory is removed. */
  afterStop?: (fixture: TServerFixture) => void | Promise<void>;
};

/**
 * The real Atelier (tests/server.ts's startServer) for the tests of one file: started in a beforeAll, stopped in an
 * afterAll that then destroys the containers in `made`, removes the host directory and the server's data
 * directory. The afterAll does all of it even when the start, a step of its own or a test failed, and fails with
 * the first error it met.
 *
 * The fixture is the running server itself, as startServer returns it (`callProcedure(server, …)`, `server.url`,
 * `server.crash()`), read when used: after `server.restart()` it is the new server. A file's own beforeAll and
 * afterAll registered after this call run once the server is up and before it stops (vitest runs afterAll hooks
 * in reverse order).
 */
export const useServer = ({
  env = {},
  hostDir: withHostDir = false,
  beforeStart,
  afterStop,
  ...start
}: TUseServerOptions = {}): TServerFixture => {
  let running: TRunningServer | undefined;
  const current = () => {
    if (!running)
      throw new Error(
        "useServer(): the server is not running (read outside the tests, or it failed to start)",
      );
    return running;
  };
  const hostDir = withHostDir
    ? path.join(process.env.ATELIER_DATA_DIR ?? "/tmp", `host-${randomBytes(4).toString("hex")}`)
    : "";
  const fixture: TServerFixture = {
    made: [],
    hostDir,
    get url() {
      return current().url;
    },
    get dataDir() {
      return current().dataDir;
    },
    get databaseUrl() {
      return current().databaseUrl;
    },
    get pid() {
      return current().pid;
    },
    get tokens() {
      return current().tokens;
    },
    webPid: () => current().webPid(),
    helperPid: () => current().helperPid(),
    killWebTier: () => current().killWebTier(),
    crash: () => current().crash(),
    output: () => current().output(),
    stop: () => current().stop(),
    restart: async () => {
      running = await current().restart();
      return fixture;
    },
  };

  beforeAll(async () => {
    if (withHostDir) {
      await mkdir(hostDir, { mode: 0o755 });
      await chmod(hostDir, 0o755);
    }
    await beforeStart?.(fixture);
    running = await startServer(typeof env === "function" ? env(fixture) : env, start);
  });

  afterAll(async () => {
    const errors: unknown[] = [];
    const step = async (work: () => Promise<unknown>) => {
      await work().catch((error: unknown) => errors.push(error));
    };
    const stopping = running;
    if (stopping) await step(() => stopping.stop());
    for (const name of [...fixture.made].reverse()) await step(() => forceDestroy(name));
    if (afterStop) await step(async () => afterStop(fixture));
    if (withHostDir) await step(() => rm(hostDir, { recursive: true, force: true }));
    if (stopping) await step(() => rm(stopping.dataDir, { recursive: true, force: true }));
    running = undefined;
    if (errors.length > 0) throw errors[0];
  });

  return fixture;
};
