/**
 * The helper's entry point (root): serves the operations of ./operations on a unix socket for the web tier, and
 * nothing else (no HTTP, no pages, no database). Started by the web tier's process for now (server/helper/spawn.ts),
 * with its settings in the environment:
 *
 *   ATELIER_HELPER_SOCKET      the socket's path (its directory is made 0750, group ATELIER_HELPER_GROUP)
 *   ATELIER_HELPER_ALLOW_UIDS  the uids that may connect, comma-separated (the web tier's)
 *   ATELIER_HELPER_GROUP       the gid that may reach the socket
 *   ATELIER_HELPER_STATE_DIR   its own directory (root only): the network journal, dnsmasq's files
 *   ATELIER_HELPER_UPLOAD_SPOOL  the web tier's upload spool (uploads are copied from it into the import dir)
 *   ATELIER_LXC_PATH, ATELIER_CONTAINER_CONFIG, ATELIER_LXC_CACHE, ATELIER_IMPORT_DIRS, ATELIER_HOST_ROOT,
 *   ATELIER_BIND_ROOTS (for the admin-only check of config.write), ATELIER_IDMAP_POOL (unprivileged containers' ids),
 *   ATELIER_IDMAP_METHOD (auto: their root filesystems mounted idmapped where the host can; shift: owners shifted)
 *
 * It prints "helper ready" on stdout once it listens, and stops on SIGTERM.
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { logger } from "../log";
import { DEFAULT_IDMAP_POOL, parseIdPool } from "../schemas/idmap";
import { createHelperOperations } from "./operations";
import { startHelperServer } from "./server";

const ZHelperSettings = z.object({
  ATELIER_HELPER_SOCKET: z.string().startsWith("/"),
  ATELIER_HELPER_ALLOW_UIDS: z
    .string()
    .regex(/^\d+(,\d+)*$/)
    .transform((value) => value.split(",").map(Number)),
  ATELIER_HELPER_GROUP: z.coerce.number().int().nonnegative(),
  ATELIER_HELPER_STATE_DIR: z.string().startsWith("/"),
  ATELIER_HELPER_UPLOAD_SPOOL: z.string().startsWith("/"),
  ATELIER_HOST_ROOT: z.string().startsWith("/").default("/"),
  ATELIER_LXC_PATH: z.string().startsWith("/"),
  ATELIER_CONTAINER_CONFIG: z.string().startsWith("/").optional(),
  ATELIER_LXC_CACHE: z.string().startsWith("/"),
  ATELIER_IMPORT_DIRS: z
    .string()
    .transform((value) => value.split(":").filter(Boolean))
    .pipe(z.array(z.string().startsWith("/")).min(1)),
  ATELIER_BIND_ROOTS: z
    .string()
    .default("")
    .transform((value) => value.split(":").filter(Boolean))
    .pipe(z.array(z.string().startsWith("/"))),
  ATELIER_IDMAP_POOL: z
    .string()
    .default(DEFAULT_IDMAP_POOL)
    .transform((value) => parseIdPool(value))
    .pipe(z.object({ first: z.number(), slots: z.number() })),
  ATELIER_IDMAP_METHOD: z.enum(["auto", "shift"]).default("auto"),
});

const log = logger.child({ component: "helper" });
const parsed = ZHelperSettings.safeParse(process.env);
if (!parsed.success) {
  process.stderr.write(`atelier helper: bad settings: ${parsed.error.message}\n`);
  process.exit(2);
}
const settings = parsed.data;
const helper = createHelperOperations({
  lxcPath: settings.ATELIER_LXC_PATH,
  cacheDir: settings.ATELIER_LXC_CACHE,
  importDirs: settings.ATELIER_IMPORT_DIRS,
  stateDir: settings.ATELIER_HELPER_STATE_DIR,
  uploadSpool: settings.ATELIER_HELPER_UPLOAD_SPOOL,
  allowedUids: settings.ATELIER_HELPER_ALLOW_UIDS,
  hostRoot: settings.ATELIER_HOST_ROOT,
  bindRoots: settings.ATELIER_BIND_ROOTS,
  idPool: settings.ATELIER_IDMAP_POOL,
  idmapMethod: settings.ATELIER_IDMAP_METHOD,
  ...(settings.ATELIER_CONTAINER_CONFIG ? { containerConfig: settings.ATELIER_CONTAINER_CONFIG } : {}),
  log,
});
// What a previous helper left half done (a network change in flight, a pending one past its time) is undone first.
// A helper that cannot start serves nobody, and would fail the same way at every restart: a failure here is logged.
await helper
  .recover()
  .catch((error: unknown) => log.error("undoing what a previous helper left failed", { error }));
// Root's subordinate ids for the pool (/etc/subuid, /etc/subgid): without them no unprivileged container starts.
await helper
  .grantSubids()
  .catch((error: unknown) => log.error("giving root its subordinate ids failed", { error }));
const server = await startHelperServer({
  socketPath: settings.ATELIER_HELPER_SOCKET,
  allowedUids: settings.ATELIER_HELPER_ALLOW_UIDS,
  socketGroup: settings.ATELIER_HELPER_GROUP,
  operations: helper.operations,
  log,
});
process.stdout.write("helper ready\n");
const stop = () => {
  server.close();
  // A socket directory of its own under /run/atelier (a long data directory's) goes too; only root writes in it.
  const socketDir = path.dirname(settings.ATELIER_HELPER_SOCKET);
  try {
    if (path.dirname(socketDir) === "/run/atelier") rmSync(socketDir, { recursive: true, force: true });
  } catch (error) {
    log.warn("the socket's directory could not be removed", { socketDir, error });
  }
  void helper
    .close()
    .catch((error: unknown) => log.error("rolling back the pending network change failed", { error }))
    .finally(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
