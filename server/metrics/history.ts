import type { TDb } from "../db";
import type { TLogger } from "../log";
import type { RecentWindow } from "./recent";
import { HOST_SERIES, SERIES, type THostSeries, type TSeries } from "./sample";

/**
 * Usage history, downsampled:
 *
 * - every sample goes into the current minute's accumulator (min, sum, max per series, per container; the host's
 *   figures are a history of their own, in HostMinute and HostHour, with the same retention);
 * - when the minute is over, one row per container goes to MetricMinute (kept `minuteRetentionDays`);
 * - when an hour is over, its minute rows are rolled up into MetricHour (kept `hourRetentionDays`);
 * - a row for a minute that already has one (a restart within the minute) is merged into it, never duplicated.
 *
 * Queries pick the finest resolution that keeps a chart under about 2000 points: the in-memory window (1 s) for an
 * hour or less, minute rows (aggregated to 5 min for longer spans) up to 7 days, hour rows (aggregated to 6 h) after.
 */
export const MINUTE_RETENTION_DAYS = 7;
export const HOUR_RETENTION_DAYS = 366;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const MAX_POINTS = 2000;

type TAccumulator = {
  bucket: number;
  samples: number;
  oomKills: number;
  min: (number | null)[];
  max: (number | null)[];
  sum: number[];
  count: number[];
};

/**
 * Which tables a history lives in and which series it keeps: the containers' (one row per container and bucket) or
 * the host's (one row per bucket: `keyColumn` null, the name given to the methods only names the in-memory parts).
 */
export type THistoryShape<TKey extends string> = {
  minuteTable: string;
  hourTable: string;
  keyColumn: string | null;
  series: readonly TKey[];
};

export const CONTAINER_HISTORY: THistoryShape<TSeries> = {
  minuteTable: "MetricMinute",
  hourTable: "MetricHour",
  keyColumn: "container",
  series: SERIES,
};

export const HOST_HISTORY: THistoryShape<THostSeries> = {
  minuteTable: "HostMinute",
  hourTable: "HostHour",
  keyColumn: null,
  series: HOST_SERIES,
};

export type THistoryPoint = { min: number | null; avg: number | null; max: number | null };
export type THistory<TKey extends string = TSeries> = {
  name: string;
  from: number;
  to: number;
  /** Seconds per point. */
  resolution: number;
  /** Point times (ms since the epoch, start of each bucket). */
  t: number[];
  series: Record<TKey, { min: (number | null)[]; avg: (number | null)[]; max: (number | null)[] }>;
  /** OOM kills within each point's bucket. */
  oomKills: number[];
};

const columnsOf = (series: readonly string[]) =>
  series.flatMap((key) => [`${key}Min`, `${key}Avg`, `${key}Max`]);
const quoted = (column: string) => `"${column}"`;

/** Merge an existing row with a new one for the same bucket: min of mins, weighted mean, max of maxes. */
const mergeAssignments = (table: string, series: readonly string[]) =>
  [
    `"samples" = ${table}."samples" + excluded."samples"`,
    `"oomKills" = ${table}."oomKills" + excluded."oomKills"`,
    ...series.flatMap((key) => [
      `"${key}Min" = CASE WHEN ${table}."${key}Min" IS NULL THEN excluded."${key}Min" WHEN excluded."${key}Min" IS NULL THEN ${table}."${key}Min" ELSE MIN(${table}."${key}Min", excluded."${key}Min") END`,
      `"${key}Avg" = CASE WHEN ${table}."${key}Avg" IS NULL THEN excluded."${key}Avg" WHEN excluded."${key}Avg" IS NULL THEN ${table}."${key}Avg" ELSE (${table}."${key}Avg" * ${table}."samples" + excluded."${key}Avg" * excluded."samples") / (${table}."samples" + excluded."samples") END`,
      `"${key}Max" = CASE WHEN ${table}."${key}Max" IS NULL THEN excluded."${key}Max" WHEN excluded."${key}Max" IS NULL THEN ${table}."${key}Max" ELSE MAX(${table}."${key}Max", excluded."${key}Max") END`,
    ]),
  ].join(", ");

export class MetricsHistory<TKey extends string = TSeries> {
  private readonly open = new Map<string, TAccumulator>();
  private readonly series: readonly TKey[];
  private readonly columns: string[];
  private readonly keyColumns: string[];
  private writes: Promise<unknown> = Promise.resolve();
  /** The last hour (hours since the epoch) rolled up, so each is rolled up once. */
  private rolledUpTo: number | null = null;

  constructor(
    private readonly db: TDb,
    private readonly log: TLogger,
    private readonly recent: RecentWindow<TKey> | null = null,
    private readonly now: () => number = Date.now,
    private readonly readRows: TRowReader = prismaRowReader(db),
    private readonly shape: THistoryShape<TKey> = CONTAINER_HISTORY as unknown as THistoryShape<TKey>,
  ) {
    this.series = shape.series;
    this.columns = columnsOf(shape.series);
    this.keyColumns = shape.keyColumn === null ? [] : [shape.keyColumn];
  }

  /** `"key" = ? AND ` and its parameter, or nothing for a history without a key column. */
  private keyFilter(name: string): [string, string[]] {
    return this.shape.keyColumn === null ? ["", []] : [`"${this.shape.keyColumn}" = ? AND `, [name]];
  }

  /** One sample of one container. Closes (and writes) the container's previous minute when this one is newer. */
  add(name: string, t: number, series: Record<TKey, number | null>, oomKills = 0) {
    const bucket = Math.floor(t / MINUTE);
    let accumulator = this.open.get(name);
    if (accumulator && accumulator.bucket !== bucket) {
      this.queueWrite([[name, accumulator]]);
      accumulator = undefined;
    }
    if (!accumulator) {
      accumulator = {
        bucket,
        samples: 0,
        oomKills: 0,
        min: this.series.map(() => null),
        max: this.series.map(() => null),
        sum: this.series.map(() => 0),
        count: this.series.map(() => 0),
      };
      this.open.set(name, accumulator);
    }
    const open = accumulator;
    open.samples += 1;
    open.oomKills += oomKills;
    this.series.forEach((key, index) => {
      const value = series[key];
      if (value === null || !Number.isFinite(value)) return;
      open.min[index] = Math.min(open.min[index] ?? value, value);
      open.max[index] = Math.max(open.max[index] ?? value, value);
      open.sum[index] = (open.sum[index] ?? 0) + value;
      open.count[index] = (open.count[index] ?? 0) + 1;
    });
  }

  /**
   * Writes every minute that is over (for containers that stopped, the minute they stopped in) and rolls up every
   * hour that is over. Called by the sampler after each tick; cheap when there is nothing to write.
   */
  closeFinished() {
    const current = Math.floor(this.now() / MINUTE);
    const finished = [...this.open].filter(([, accumulator]) => accumulator.bucket < current);
    if (finished.length > 0) this.queueWrite(finished);
    const lastFinishedHour = Math.floor(this.now() / HOUR) - 1;
    if (this.rolledUpTo === null || this.rolledUpTo < lastFinishedHour) {
      const from = this.rolledUpTo;
      this.rolledUpTo = lastFinishedHour;
      this.writes = this.writes
        .then(() => this.rollUp(from, lastFinishedHour))
        .catch((error: unknown) => this.log.error("metrics roll-up failed", { error }));
    }
  }

  /** Writes everything still open (at shutdown: the partial minute is merged with the rest of it after restart). */
  async flush() {
    const all = [...this.open];
    if (all.length > 0) this.queueWrite(all);
    await this.writes;
  }

  /** Deletes a container's history (it was destroyed; a new one with its name starts afresh). */
  async forget(name: string) {
    this.open.delete(name);
    this.recent?.forget(name);
    await this.writes;
    const { minuteTable, hourTable, keyColumn } = this.shape;
    if (keyColumn === null) return;
    for (const table of [minuteTable, hourTable])
      await this.db.$executeRawUnsafe(`DELETE FROM "${table}" WHERE "${keyColumn}" = ?`, name);
  }

  async prune() {
    const now = this.now();
    const { minuteTable, hourTable } = this.shape;
    await this.db.$executeRawUnsafe(
      `DELETE FROM "${minuteTable}" WHERE "bucket" < ?`,
      Math.floor((now - MINUTE_RETENTION_DAYS * 24 * HOUR) / MINUTE),
    );
    await this.db.$executeRawUnsafe(
      `DELETE FROM "${hourTable}" WHERE "bucket" < ?`,
      Math.floor((now - HOUR_RETENTION_DAYS * 24 * HOUR) / HOUR),
    );
  }

  private queueWrite(entries: [string, TAccumulator][]) {
    for (const [name, accumulator] of entries) {
      if (this.open.get(name) === accumulator) this.open.delete(name);
    }
    this.writes = this.writes
      .then(() => this.writeMinutes(entries))
      .catch((error: unknown) => this.log.error("metrics history write failed", { error }));
  }

  private async writeMinutes(entries: [string, TAccumulator][]) {
    const table = `"${this.shape.minuteTable}"`;
    const columns = [...this.keyColumns, "bucket", "samples", "oomKills", ...this.columns];
    const conflict = [...this.keyColumns, "bucket"].map(quoted).join(", ");
    const statement =
      `INSERT INTO ${table} (${columns.map(quoted).join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) ` +
      `ON CONFLICT (${conflict}) DO UPDATE SET ${mergeAssignments(table, this.series)}`;
    await this.db.$transaction(
      entries.map(([name, accumulator]) =>
        this.db.$executeRawUnsafe(
          statement,
          ...(this.shape.keyColumn === null ? [] : [name]),
          accumulator.bucket,
          accumulator.samples,
          accumulator.oomKills,
          ...this.series.flatMap((_, index) => {
            const count = accumulator.count[index] ?? 0;
            return [
              accumulator.min[index] ?? null,
              count > 0 ? (accumulator.sum[index] ?? 0) / count : null,
              accumulator.max[index] ?? null,
            ];
          }),
        ),
      ),
    );
  }

  /** Hours (since the epoch) after `after` up to `upTo`, recomputed from their minute rows. */
  private async rollUp(after: number | null, upTo: number) {
    let from = after === null ? null : after + 1;
    if (from === null) {
      // At start: from the hour after the last one rolled up, or the oldest minute row.
      const [[lastHour = null] = []] = await this.readRows(
        `SELECT MAX("bucket") FROM "${this.shape.hourTable}"`,
        [],
      );
      const [[oldestMinute = null] = []] = await this.readRows(
        `SELECT MIN("bucket") FROM "${this.shape.minuteTable}"`,
        [],
      );
      if (oldestMinute === null) return;
      from = Math.max(
        lastHour === null ? Number.NEGATIVE_INFINITY : lastHour + 1,
        Math.floor(oldestMinute / 60),
      );
    }
    if (from > upTo) return;
    const aggregates = this.series.flatMap((key) => [
      `MIN("${key}Min")`,
      `SUM("${key}Avg" * "samples") / SUM(CASE WHEN "${key}Avg" IS NULL THEN 0 ELSE "samples" END)`,
      `MAX("${key}Max")`,
    ]);
    const keys = this.keyColumns.map((column) => `${quoted(column)}, `).join("");
    const columns = [...this.keyColumns, "bucket", "samples", "oomKills", ...this.columns];
    await this.db.$executeRawUnsafe(
      `INSERT INTO "${this.shape.hourTable}" (${columns.map(quoted).join(", ")}) ` +
        `SELECT ${keys}"bucket" / 60, SUM("samples"), SUM("oomKills"), ${aggregates.join(", ")} ` +
        `FROM "${this.shape.minuteTable}" WHERE "bucket" >= ? AND "bucket" < ? GROUP BY ${keys}"bucket" / 60 ` +
        `ON CONFLICT (${[...this.keyColumns, "bucket"].map(quoted).join(", ")}) DO UPDATE SET ` +
        ["samples", "oomKills", ...this.columns]
          .map((column) => `"${column}" = excluded."${column}"`)
          .join(", "),
      from * 60,
      (upTo + 1) * 60,
    );
  }

  /** One container's history between two times (ms since the epoch). */
  async query(name: string, from: number, to: number): Promise<THistory<TKey>> {
    await this.writes;
    const span = to - from;
    if (span <= HOUR && this.recent) return this.fromRecent(name, from, to);
    const minuteRowsCover = from >= this.now() - MINUTE_RETENTION_DAYS * 24 * HOUR - HOUR;
    if (minuteRowsCover) {
      const resolution = span / MINUTE <= MAX_POINTS ? 60 : 300;
      const rows = await this.aggregate(this.shape.minuteTable, name, from, to, MINUTE, resolution / 60);
      return this.bucketed(name, from, to, resolution, rows);
    }
    const resolution = span / HOUR <= MAX_POINTS ? 3600 : 21_600;
    const hours = await this.aggregate(this.shape.hourTable, name, from, to, HOUR, resolution / 3600);
    // The hour in progress (and any not rolled up yet) from its minute rows.
    const lastHour = hours.at(-1)?.[0] ?? from - 1;
    const pending = await this.aggregate(
      this.shape.minuteTable,
      name,
      Math.max(from, lastHour + HOUR),
      to,
      MINUTE,
      60,
    );
    return this.bucketed(name, from, to, resolution, [...hours, ...pending]);
  }

  /**
   * Rows of a table between two times as arrays `[t, samples, oomKills, ...COLUMNS]`, grouped `factor` buckets at a
   * time in SQL (so a week of minute rows comes back as 2016 five-minute rows): min of mins, sample-weighted mean,
   * max of maxes. Arrays, not objects: building 30-field objects per row costs more than the query.
   */
  private async aggregate(
    table: string,
    name: string,
    from: number,
    to: number,
    unit: number,
    factor: number,
  ): Promise<TRow[]> {
    const [filter, key] = this.keyFilter(name);
    const where = `FROM "${table}" WHERE ${filter}"bucket" >= ? AND "bucket" <= ?`;
    const sql =
      factor === 1
        ? `SELECT "bucket", "samples", "oomKills", ${this.columns.map(quoted).join(", ")} ${where} ORDER BY "bucket"`
        : `SELECT "bucket" / ${factor}, SUM("samples"), SUM("oomKills"), ${this.series
            .flatMap((key) => [
              `MIN("${key}Min")`,
              `SUM("${key}Avg" * "samples") / NULLIF(SUM(CASE WHEN "${key}Avg" IS NULL THEN 0 ELSE "samples" END), 0)`,
              `MAX("${key}Max")`,
            ])
            .join(", ")} ${where} GROUP BY "bucket" / ${factor} ORDER BY 1`;
    const rows = await this.readRows(sql, [...key, Math.floor(from / unit), Math.floor(to / unit)]);
    const size = factor * unit;
    for (const row of rows) row[0] = Number(row[0]) * size;
    return rows;
  }

  /** Groups rows into buckets of `resolution` seconds: min of mins, sample-weighted mean, max of maxes. */
  private bucketed(name: string, from: number, to: number, resolution: number, rows: TRow[]): THistory<TKey> {
    const size = resolution * 1000;
    const history = emptyHistory(name, from, to, resolution, this.series);
    const series = this.series.map((key) => history.series[key]);
    let index = 0;
    while (index < rows.length) {
      const t = Math.floor(Number(rows[index]?.[0]) / size) * size;
      let end = index;
      while (end < rows.length && Math.floor(Number(rows[end]?.[0]) / size) * size === t) end += 1;
      history.t.push(t);
      let kills = 0;
      for (let row = index; row < end; row += 1) kills += Number(rows[row]?.[2] ?? 0);
      history.oomKills.push(kills);
      series.forEach((target, position) => {
        const at = 3 + position * 3;
        let min: number | null = null;
        let max: number | null = null;
        let sum = 0;
        let weight = 0;
        for (let row = index; row < end; row += 1) {
          const values = rows[row] as TRow;
          const low = values[at] ?? null;
          const mean = values[at + 1] ?? null;
          const high = values[at + 2] ?? null;
          if (low !== null) min = min === null ? low : Math.min(min, low);
          if (high !== null) max = max === null ? high : Math.max(max, high);
          if (mean !== null) {
            const samples = Number(values[1] ?? 1);
            sum += mean * samples;
            weight += samples;
          }
        }
        target.min.push(min);
        target.avg.push(weight > 0 ? sum / weight : null);
        target.max.push(max);
      });
      index = end;
    }
    return history;
  }

  /**
   * The last hour at 1 s from memory. When the window began later than `from` (the server restarted within the
   * hour), the time before it comes from minute rows, the minute of the restart included: the previous server
   * wrote its part of that minute at shutdown, and its point (at the minute's start) comes before the window's.
   */
  private async fromRecent(name: string, from: number, to: number): Promise<THistory<TKey>> {
    const window = this.recent as RecentWindow<TKey>;
    const recent = window.range(name, from, to);
    const windowStart = recent.t[0] ?? window.oldest() ?? to;
    const before =
      windowStart - from > MINUTE / 2
        ? (await this.aggregate(this.shape.minuteTable, name, from, windowStart - 1, MINUTE, 1)).filter(
            (row) => Number(row[0]) < windowStart,
          )
        : [];
    const history =
      before.length > 0
        ? this.bucketed(name, from, to, 60, before)
        : emptyHistory(name, from, to, 1, this.series);
    history.resolution = 1;
    history.t.push(...recent.t);
    history.oomKills.push(...recent.t.map(() => 0));
    for (const key of this.series) {
      const values = recent.series[key];
      history.series[key].min.push(...values);
      history.series[key].avg.push(...values);
      history.series[key].max.push(...values);
    }
    return history;
  }
}

/** A history row: `[t (ms), samples, oomKills, ...COLUMNS]`. */
type TRow = (number | null)[];

/** Runs a read-only query and gives its rows as arrays of numbers, in column order. */
export type TRowReader = (sql: string, parameters: (string | number)[]) => Promise<TRow[]>;

/** Through Prisma (any database it serves); rows as objects, turned into arrays in column order. */
export const prismaRowReader =
  (db: TDb): TRowReader =>
  async (sql, parameters) =>
    (await db.$queryRawUnsafe<Record<string, number | bigint | null>[]>(sql, ...parameters)).map((row) =>
      Object.values(row).map((value) => (value === null ? null : Number(value))),
    );

const emptyHistory = <TKey extends string>(
  name: string,
  from: number,
  to: number,
  resolution: number,
  series: readonly TKey[],
): THistory<TKey> => ({
  name,
  from,
  to,
  resolution,
  t: [],
  series: Object.fromEntries(
    series.map((key) => [key, { min: [], avg: [], max: [] }]),
  ) as unknown as THistory<TKey>["series"],
  oomKills: [],
});
