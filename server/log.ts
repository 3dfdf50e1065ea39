/** A small structured logger: one JSON object per line on stdout (stderr for errors). */
type TLevel = "debug" | "info" | "warn" | "error";
type TFields = Record<string, unknown>;

const order: Record<TLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const threshold = order[(process.env.ATELIER_LOG_LEVEL as TLevel | undefined) ?? "info"] ?? order.info;

export type TLogger = {
  debug: (msg: string, fields?: TFields) => void;
  info: (msg: string, fields?: TFields) => void;
  warn: (msg: string, fields?: TFields) => void;
  error: (msg: string, fields?: TFields) => void;
  child: (fields: TFields) => TLogger;
};

const serialiseError = (value: unknown): unknown =>
  value instanceof Error ? { name: value.name, message: value.message } : value;

export const createLogger = (base: TFields = {}): TLogger => {
  const write = (level: TLevel, msg: string, fields?: TFields) => {
    if (order[level] < threshold) return;
    const entry: TFields = { time: new Date().toISOString(), level, msg, ...base };
    for (const [key, value] of Object.entries(fields ?? {})) entry[key] = serialiseError(value);
    const line = JSON.stringify(entry) + "\n";
    if (level === "error" || level === "warn") process.stderr.write(line);
    else process.stdout.write(line);
  };
  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    child: (fields) => createLogger({ ...base, ...fields }),
  };
};

export const logger = createLogger();
