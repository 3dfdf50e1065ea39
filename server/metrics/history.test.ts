import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDb, type TDb } from "../db";
import { logger } from "../log";
import { migrateDatabase } from "../launcher/migrate";
import { HOST_HISTORY, MetricsHistory } from "./history";
import { RecentWindow } from "./recent";
import { sqliteRowReader } from "./sqlite-reader";
import { HOST_SERIES, SERIES, type THostSeries, type TSeries } from "./sample";

/** Downsampling against a real (temporary) SQLite database, with a clock the test moves. */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.UTC(2026, 0, 1, 10, 0, 0);
let dir: string;
let url: string;
let db: TDb;
let now = START;

const values = (cpu: number | null, memory = 1000): Record<TSeries, number | null> => ({
  ...(Object.fromEntries(SERIES.map((key) => [key, null])) as Record<TSeries, number | null>),
  cpu,
  memory,
});

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "atelier-metrics-"));
  url = `file:${path.join(dir, "test.db")}`;
  await migrateDatabase(url);
  db = createDb(url);
});
afterAll(async () => {
  await db.$disconnect();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  now = START;
  await db.metricMinute.deleteMany();
  await db.metricHour.deleteMany();
  await db.hostMinute.deleteMany();
  await db.hostHour.deleteMany();
});

const windows = new WeakMap<MetricsHistory, RecentWindow>();
/** A history as one server process has it: its own recent window (empty after a restart). */
const history = () => {
  const window = new RecentWindow(3600);
  const target = new MetricsHistory(db, logger, window, () => now);
  windows.set(target, window);
  return target;
};

/** Feeds one sample per second from `from` for `seconds` seconds, cpu = f(second), as the sampler does. */
const feed = (
  target: MetricsHistory,
  name: string,
  from: number,
  seconds: number,
  cpu: (s: number) => number | null,
) => {
  for (let second = 0; second < seconds; second += 1) {
    now = from + second * 1000;
    target.add(name, now, values(cpu(second)));
    windows.get(target)?.push(now, new Map([[name, values(cpu(second))]]));
    target.closeFinished();
  }
};

describe("usage history", () => {
  it("writes one row per container per finished minute with min, mean and max", async () => {
    const target = history();
    feed(target, "a", START, 120, (s) => s % 60); // 0..59 twice
    now = START + 2 * MINUTE;
    target.closeFinished();
    await target.flush();
    const rows = await db.metricMinute.findMany({ where: { container: "a" }, orderBy: { bucket: "asc" } });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      bucket: START / MINUTE,
      samples: 60,
      cpuMin: 0,
      cpuAvg: 29.5,
      cpuMax: 59,
    });
    expect(rows[1]).toMatchObject({ bucket: START / MINUTE + 1, samples: 60 });
  });

  it("merges a minute written twice (a restart within the minute) into one row", async () => {
    const first = history();
    feed(first, "a", START, 20, () => 10);
    await first.flush(); // shutdown mid-minute
    const second = history();
    feed(second, "a", START + 30_000, 30, () => 40);
    now = START + MINUTE;
    second.closeFinished();
    await second.flush();
    const rows = await db.metricMinute.findMany({ where: { container: "a" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ samples: 50, cpuMin: 10, cpuMax: 40 });
    expect(rows[0]?.cpuAvg).toBeCloseTo((20 * 10 + 30 * 40) / 50);
  });

  it("rolls finished hours up into hour rows, weighting means by samples, and keeps nulls out", async () => {
    const target = history();
    // Minute rows written directly: hour 10:00 has 2 minutes, one with no CPU value.
    const hour = START / HOUR;
    await db.metricMinute.createMany({
      data: [
        { container: "a", bucket: hour * 60, samples: 60, cpuMin: 1, cpuAvg: 2, cpuMax: 3, memoryAvg: 5 },
        {
          container: "a",
          bucket: hour * 60 + 1,
          samples: 30,
          cpuMin: 4,
          cpuAvg: 8,
          cpuMax: 9,
          memoryAvg: 5,
          oomKills: 2,
        },
        { container: "a", bucket: hour * 60 + 2, samples: 60, memoryAvg: 5 },
        { container: "a", bucket: (hour + 1) * 60, samples: 60, cpuMin: 7, cpuAvg: 7, cpuMax: 7 },
      ],
    });
    now = START + HOUR + 5 * MINUTE; // 11:05: hour 10 is over, hour 11 is not
    target.closeFinished();
    await target.flush();
    const rows = await db.metricHour.findMany({ orderBy: { bucket: "asc" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ bucket: hour, samples: 150, oomKills: 2, cpuMin: 1, cpuMax: 9 });
    expect(rows[0]?.cpuAvg).toBeCloseTo((60 * 2 + 30 * 8) / 90);

    // A 30-day query gives the rolled-up hour and the hour in progress from its minute rows.
    const result = await target.query("a", now - 30 * 24 * HOUR, now);
    expect(result.resolution).toBe(3600);
    expect(result.t).toEqual([hour * HOUR, (hour + 1) * HOUR]);
    expect(result.series.cpu.max).toEqual([9, 7]);
  });

  it("answers the last hour from memory at 1 s, earlier minutes from rows after a restart", async () => {
    const before = history();
    feed(before, "a", START, 180, () => 5);
    await before.flush();
    const after = history(); // a new process: empty recent window
    feed(after, "a", START + 180_000, 60, () => 50);
    const result = await after.query("a", START, now);
    expect(result.resolution).toBe(1);
    expect(result.t.slice(0, 3)).toEqual([START, START + MINUTE, START + 2 * MINUTE]);
    expect(result.series.cpu.avg.slice(0, 3)).toEqual([5, 5, 5]);
    expect(result.t).toHaveLength(3 + 60);
    expect(result.series.cpu.avg.at(-1)).toBe(50);
  });

  it("serves the part of a minute written before a restart within it, as that minute's point", async () => {
    const before = history();
    feed(before, "a", START, 90, () => 5); // minute 0 whole, minute 1 until 1:30, written at shutdown
    await before.flush();
    const after = history();
    feed(after, "a", START + 100_000, 30, () => 50);
    const result = await after.query("a", START, now);
    expect(result.t.slice(0, 3)).toEqual([START, START + MINUTE, START + 100_000]);
    // Minute 1's point is the whole minute: 30 s at 5 before the restart, 20 s at 50 after it (closed at 2:00).
    expect(result.series.cpu.avg.slice(0, 3)).toEqual([5, (30 * 5 + 20 * 50) / 50, 50]);
    expect(result.series.cpu.min[1]).toBe(5);
    expect(result.t).toHaveLength(2 + 30);
  });

  it("aggregates minute rows to 5 minutes for a week, and prunes by age", async () => {
    const target = history();
    const rows = Array.from({ length: 7 * 24 * 60 }, (_, index) => ({
      container: "a",
      bucket: START / MINUTE + index,
      samples: 60,
      cpuMin: index % 5,
      cpuAvg: index % 5,
      cpuMax: index % 5,
    }));
    await db.metricMinute.createMany({ data: rows });
    now = START + 7 * 24 * HOUR;
    const week = await target.query("a", now - 7 * 24 * HOUR, now);
    // The server reads SQLite through better-sqlite3 in raw mode: the same answers as through Prisma.
    const direct = new MetricsHistory(db, logger, null, () => now, sqliteRowReader(url) ?? undefined);
    expect(await direct.query("a", now - 7 * 24 * HOUR, now)).toEqual(week);
    expect(await direct.query("a", now - 24 * HOUR, now)).toEqual(
      await target.query("a", now - 24 * HOUR, now),
    );
    expect(week.resolution).toBe(300);
    expect(week.t).toHaveLength(7 * 24 * 12);
    expect(week.series.cpu).toMatchObject({ min: expect.arrayContaining([0]) as unknown });
    expect(week.series.cpu.avg[0]).toBe(2);
    expect(week.series.cpu.max[0]).toBe(4);
    const day = await target.query("a", now - 24 * HOUR, now);
    expect(day.resolution).toBe(60);
    expect(day.t.length).toBeGreaterThanOrEqual(1440);

    now = START + 8 * 24 * HOUR;
    await target.prune();
    expect(await db.metricMinute.count()).toBe(6 * 24 * 60); // the first day is over 7 days old
    await target.forget("a");
    expect(await db.metricMinute.count()).toBe(0);
  });

  it("keeps the host's figures the same way, in tables of their own", async () => {
    const window = new RecentWindow(3600, HOST_SERIES);
    const target = new MetricsHistory(db, logger, window, () => now, undefined, HOST_HISTORY);
    const host = (cpu: number): Record<THostSeries, number | null> => ({
      ...(Object.fromEntries(HOST_SERIES.map((key) => [key, null])) as Record<THostSeries, number | null>),
      cpu,
      load1: cpu / 10,
    });
    // Two hours and five minutes at one sample a minute (the rows are what matters here).
    for (let minute = 0; minute < 125; minute += 1) {
      now = START + minute * MINUTE;
      target.add("host", now, host(minute < 60 ? 10 : 30), minute === 3 ? 1 : 0);
      window.push(now, new Map([["host", host(minute < 60 ? 10 : 30)]]));
      target.closeFinished();
    }
    await target.flush();
    expect(await db.hostMinute.count()).toBe(125);
    expect(await db.metricMinute.count()).toBe(0);
    const hours = await db.hostHour.findMany({ orderBy: { bucket: "asc" } });
    expect(hours.map((row) => [row.bucket, row.cpuAvg, row.oomKills])).toEqual([
      [START / HOUR, 10, 1],
      [START / HOUR + 1, 30, 0],
    ]);
    const month = await target.query("host", now - 30 * 24 * HOUR, now);
    expect(month.resolution).toBe(3600);
    expect(month.series.cpu.avg).toEqual([10, 30, 30]);
    expect(month.oomKills).toEqual([1, 0, 0]);
    const day = await target.query("host", now - 24 * HOUR, now);
    expect(day.resolution).toBe(60);
    expect(day.t).toHaveLength(125);
    expect(day.series.load1.max[0]).toBe(1);
    const hour = await target.query("host", now - HOUR, now);
    expect(hour.resolution).toBe(1);
    expect(hour.series.cpu.avg.at(-1)).toBe(30);
    now = START + 9 * 24 * HOUR;
    await target.prune();
    expect(await db.hostMinute.count()).toBe(0);
    expect(await db.hostHour.count()).toBe(2);
    // 125 minute writes and two roll-ups: seconds on a loaded machine.
  }, 30_000);
});
