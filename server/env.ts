import { DEFAULT_IDMAP_POOL, parseIdPool } from "./schemas/idmap";
import { mkdir, readFile, stat } from "node:fs/promises";
import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";
import { databaseFileOf, helperSocketPath, importDirOf, webDirOf } from "./layout";

/**
 * Every setting Atelier reads, validated once at start-up. A bad value stops start-up with a message that names
 * the setting. Nothing else reads process.env for configuration.
 */
const ZHost = z
  .string()
  .trim()
  .refine((value) => value === "localhost" || isIP(value) !== 0, {
    message: "must be an IP address to listen on (127.0.0.1, 0.0.0.0, ::) or localhost",
  });

const ZAbsolutePath = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .refine((value) => !/[\0\n\r]/.test(value), { message: "must not contain control characters" })
  .transform((value) => path.resolve(value));

/** Absolute directories separated by ':'. */
const ZDirectoryList = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value.split(":").filter(Boolean) : undefined))
  .refine(
    (value) =>
      value === undefined || value.every((entry) => path.isAbsolute(entry) && !/[\0\n\r]/.test(entry)),
    {
      message: "must be absolute directories separated by ':'",
    },
  );

const ZRawSettings = z.object({
  PORT: z.coerce
    .number({ message: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be between 1 and 65535")
    .max(65535, "must be between 1 and 65535")
    .default(3000),
  HOST: ZHost.default("0.0.0.0"),
  ATELIER_TLS_CERT: ZAbsolutePath.optional(),
  ATELIER_TLS_KEY: ZAbsolutePath.optional(),
  ATELIER_ALLOW_HTTP: z
    .enum(["0", "1", "true", "false"], { message: "must be 1 or 0" })
    .default("0")
    .transform((value) => value === "1" || value === "true"),
  ATELIER_ALLOWED_HOSTS: z
    .string()
    .trim()
    .optional()
    .transform((value) =>
      value
        ? value
            .split(",")
            .map((entry) => entry.trim().toLowerCase())
            .filter(Boolean)
        : [],
    )
    .refine((value) => value.every((entry) => /^[a-z0-9.:-]+$/.test(entry)), {
      message: "must be host names or addresses separated by commas",
    }),
  ATELIER_EVENT_RETENTION_DAYS: z.coerce
    .number({ message: "must be a number of days" })
    .int("must be a whole number of days")
    .min(1, "must be at least 1 day")
    .default(30),
  ATELIER_CONSOLE_KEEP_MINUTES: z.coerce
    .number({ message: "must be a number of minutes" })
    .int("must be a whole number of minutes")
    .min(1, "must be at least 1 minute")
    .max(7 * 24 * 60, "must be at most a week (10080 minutes)")
    .default(15),
  ATELIER_CONSOLE_SCROLLBACK: z.coerce
    .number({ message: "must be a number of lines" })
    .int("must be a whole number of lines")
    .min(0, "must be 0 or more")
    .max(10_000, "must be at most 10000 lines")
    .default(1000),
  ATELIER_AUDIT_RETENTION_DAYS: z.coerce
    .number({ message: "must be a number of days" })
    .int("must be a whole number of days")
    .min(1, "must be at least 1 day")
    .default(365),
  ATELIER_METRICS_INTERVAL_MS: z.coerce
    .number({ message: "must be a number of milliseconds" })
    .int("must be a whole number of milliseconds")
    .min(250, "must be at least 250 ms")
    .max(60_000, "must be at most 60000 ms (one minute)")
    .default(1000),
  ATELIER_LXC_PATH: ZAbsolutePath.optional(),
  ATELIER_DATA_DIR: ZAbsolutePath.default("/var/lib/atelier"),
  ATELIER_USER: z
    .string()
    .trim()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, "must be a user name, such as atelier")
    .default("atelier"),
  ATELIER_HELPER_SOCKET: ZAbsolutePath.optional(),
  ATELIER_CONTAINER_CONFIG: ZAbsolutePath.default("/etc/lxc/default.conf"),
  ATELIER_HOST_ROOT: ZAbsolutePath.default("/"),
  ATELIER_LXC_CACHE: ZAbsolutePath.default("/var/cache/lxc"),
  ATELIER_IMPORT_DIRS: ZDirectoryList,
  ATELIER_UPLOAD_MAX_BYTES: z
    .string()
    .trim()
    .regex(/^\d+\s*[KMGT]?i?B?$/i, "must be a size such as 8G, 512M or a number of bytes")
    .default("8G")
    .transform((value) => {
      const [, number = "0", unit = ""] = /^(\d+)\s*([KMGT]?)/i.exec(value) ?? [];
      const power = unit === "" ? 0 : "KMGT".indexOf(unit.toUpperCase()) + 1;
      return Number(number) * 1024 ** power;
    }),
  ATELIER_BIND_ROOTS: ZDirectoryList,
  ATELIER_IDMAP_POOL: z
    .string()
    .trim()
    .default(DEFAULT_IDMAP_POOL)
    .refine((value) => parseIdPool(value) !== null, {
      message:
        "must be FIRST:RANGES, the first host id (65536 or more) and how many ranges of 65536 ids, such as 1000000:1000",
    }),
  ATELIER_IDMAP_METHOD: z
    .enum(["auto", "shift"], {
      message:
        "must be auto (root filesystems mounted idmapped where the host can, owners shifted elsewhere) or shift",
    })
    .default("auto"),
  ATELIER_UNPRIVILEGED: z
    .enum(["0", "1"], { message: "must be 1 (new containers are unprivileged) or 0" })
    .default("1"),
  DATABASE_URL: z
    .string()
    .trim()
    .refine((value) => value.startsWith("file:"), {
      message: "must be a SQLite URL such as file:/var/lib/atelier/web/atelier.db",
    })
    .optional(),
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
});

export type TSettings = {
  port: number;
  host: string;
  /** The LXC path (lxcpath) every lxc-* call is made with (-P). */
  lxcPath: string;
  /** The data directory (root's) and the web tier's own part of it (see server/layout.ts). */
  dataDir: string;
  webDir: string;
  databaseUrl: string;
  /** The system user the web tier runs as (the launcher starts it so). */
  webUser: string;
  /** The helper's socket (set by the launcher; otherwise where the launcher would put it). */
  helperSocket: string;
  /** The config file new containers start from (lxc-create -f), when it exists. */
  containerConfig: string | undefined;
  /**
   * HTTPS certificate and key (PEM): the configured ones, or the self-signed pair Atelier made (main.ts fills it in
   * with server/http/tls.ts); null when serving plain HTTP (loopback, or ATELIER_ALLOW_HTTP).
   */
  tls: { cert: string; key: string; fingerprint?: string; isGenerated?: boolean } | null;
  /** Plain HTTP beyond loopback, explicitly allowed (behind a TLS proxy, say). */
  allowHttp: boolean;
  /** Names (and addresses) Atelier answers to besides the machine's own, against DNS rebinding. */
  allowedHosts: string[];
  auditRetentionDays: number;
  eventRetentionDays: number;
  /** How often running containers' usage is sampled. */
  metricsIntervalMs: number;
  /** Where the host's /etc is read and written for network persistence: "/", or a directory laid out like / (tests). */
  hostRoot: string;
  /** LXC's template cache (LXC_CACHE_PATH for lxc-create): the debian template keeps its rootfs there. */
  lxcCache: string;
  /** Where root filesystem tarballs may be taken from. */
  importDirs: string[];
  /** The largest root filesystem archive a browser may upload. */
  uploadMaxBytes: number;
  /** Host directories operators may bind-mount into containers and browse (none by default: admins only). */
  bindRoots: string[];
  /** Host ids unprivileged containers get ranges from (ATELIER_IDMAP_POOL, "FIRST:RANGES"). */
  idmapPool: string;
  /** How an unprivileged container's files are seen through its map (ATELIER_IDMAP_METHOD: auto or shift). */
  idmapMethod: "auto" | "shift";
  /** Whether a new container is unprivileged unless an admin asks otherwise (ATELIER_UNPRIVILEGED). */
  unprivilegedByDefault: boolean;
  /** How long a terminal session lives after its last viewer left (ATELIER_CONSOLE_KEEP_MINUTES). */
  consoleKeepMinutes: number;
  /** Lines of scrollback each terminal session keeps for a viewer who comes back (ATELIER_CONSOLE_SCROLLBACK). */
  consoleScrollback: number;
  isDev: boolean;
};

/** The exit code of a process that refused its settings (EX_CONFIG): the launcher does not restart it. */
export const SETTINGS_EXIT_CODE = 78;

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Atelier cannot start: invalid settings\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "SettingsError";
  }
}

const isDirectory = async (p: string) => (await stat(p).catch(() => null))?.isDirectory() ?? false;
const isFile = async (p: string) => (await stat(p).catch(() => null))?.isFile() ?? false;

/**
 * `defaultLxcPath`: LXC's own lxcpath when ATELIER_LXC_PATH is not set (`lxc-config`, a program: the launcher and
 * the CLI ask it; the web tier is given ATELIER_LXC_PATH by the launcher).
 */
export const loadSettings = async (
  source: NodeJS.ProcessEnv = process.env,
  { defaultLxcPath }: { defaultLxcPath?: () => Promise<string> } = {},
): Promise<TSettings> => {
  // An empty variable means "not set", as in most tools.
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const parsed = ZRawSettings.safeParse(present);
  if (!parsed.success) {
    throw new SettingsError(
      parsed.error.issues.map(
        (issue) =>
          `${issue.path.join(".")}: ${issue.message} (got ${JSON.stringify(present[String(issue.path[0])])})`,
      ),
    );
  }
  const raw = parsed.data;
  const problems: string[] = [];

  const lxcPath = raw.ATELIER_LXC_PATH ?? (defaultLxcPath ? await defaultLxcPath() : "");
  if (!lxcPath) problems.push("ATELIER_LXC_PATH: not set (start Atelier with `npm start`, which sets it)");
  else if (!(await isDirectory(lxcPath))) {
    problems.push(
      `ATELIER_LXC_PATH: ${lxcPath} is not a directory (create it, or point the setting at your lxcpath)`,
    );
  }

  try {
    // Root's, open to traversal only: the web tier reaches its own web/ through it (see server/layout.ts; the
    // launcher makes web/ and hands it to the web user).
    await mkdir(raw.ATELIER_DATA_DIR, { recursive: true, mode: 0o711 });
  } catch (error) {
    problems.push(`ATELIER_DATA_DIR: cannot create ${raw.ATELIER_DATA_DIR} (${(error as Error).message})`);
  }

  // LXC's own default config is used when present; a config named explicitly must exist.
  const containerConfig = (await isFile(raw.ATELIER_CONTAINER_CONFIG))
    ? raw.ATELIER_CONTAINER_CONFIG
    : undefined;
  if (!containerConfig && present.ATELIER_CONTAINER_CONFIG !== undefined) {
    problems.push(`ATELIER_CONTAINER_CONFIG: ${raw.ATELIER_CONTAINER_CONFIG} is not a file`);
  }

  let tls: TSettings["tls"] = null;
  if (raw.ATELIER_TLS_CERT || raw.ATELIER_TLS_KEY) {
    if (!raw.ATELIER_TLS_CERT || !raw.ATELIER_TLS_KEY) {
      problems.push(
        "ATELIER_TLS_CERT and ATELIER_TLS_KEY: set both (the certificate and its private key) or neither",
      );
    } else {
      try {
        tls = {
          cert: await readFile(raw.ATELIER_TLS_CERT, "utf8"),
          key: await readFile(raw.ATELIER_TLS_KEY, "utf8"),
        };
      } catch (error) {
        problems.push(`ATELIER_TLS_CERT / ATELIER_TLS_KEY: cannot read (${(error as Error).message})`);
      }
    }
  }

  // Operators bind-mount from the bind roots: none may hold Atelier's data directory (its database, its helper's
  // state and tickets, the local socket where a request is root on the host) or lie inside it.
  const dataDir = path.resolve(raw.ATELIER_DATA_DIR);
  for (const root of (raw.ATELIER_BIND_ROOTS ?? []).map((entry) => path.resolve(entry)))
    if (
      root === dataDir ||
      dataDir.startsWith(root === "/" ? "/" : `${root}/`) ||
      root.startsWith(`${dataDir}/`)
    )
      problems.push(
        `ATELIER_BIND_ROOTS: ${root} overlaps Atelier's data directory ${dataDir} (its database, secrets and local socket): choose directories outside it`,
      );

  if (problems.length > 0) throw new SettingsError(problems);

  return Object.freeze({
    port: raw.PORT,
    host: raw.HOST,
    lxcPath,
    dataDir: raw.ATELIER_DATA_DIR,
    webDir: webDirOf(raw.ATELIER_DATA_DIR),
    databaseUrl: raw.DATABASE_URL ?? `file:${databaseFileOf(raw.ATELIER_DATA_DIR)}`,
    webUser: raw.ATELIER_USER,
    helperSocket: raw.ATELIER_HELPER_SOCKET ?? helperSocketPath(raw.ATELIER_DATA_DIR),
    containerConfig,
    tls,
    allowHttp: raw.ATELIER_ALLOW_HTTP,
    allowedHosts: raw.ATELIER_ALLOWED_HOSTS,
    auditRetentionDays: raw.ATELIER_AUDIT_RETENTION_DAYS,
    eventRetentionDays: raw.ATELIER_EVENT_RETENTION_DAYS,
    metricsIntervalMs: raw.ATELIER_METRICS_INTERVAL_MS,
    hostRoot: raw.ATELIER_HOST_ROOT,
    lxcCache: raw.ATELIER_LXC_CACHE,
    importDirs: (raw.ATELIER_IMPORT_DIRS ?? [importDirOf(raw.ATELIER_DATA_DIR)]).map((entry) =>
      path.resolve(entry),
    ),
    uploadMaxBytes: raw.ATELIER_UPLOAD_MAX_BYTES,
    bindRoots: (raw.ATELIER_BIND_ROOTS ?? []).map((entry) => path.resolve(entry)),
    idmapPool: raw.ATELIER_IDMAP_POOL,
    idmapMethod: raw.ATELIER_IDMAP_METHOD,
    unprivilegedByDefault: raw.ATELIER_UNPRIVILEGED === "1",
    consoleKeepMinutes: raw.ATELIER_CONSOLE_KEEP_MINUTES,
    consoleScrollback: raw.ATELIER_CONSOLE_SCROLLBACK,
    isDev: raw.NODE_ENV === "development",
  });
};
