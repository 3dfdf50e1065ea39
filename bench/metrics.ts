/**
 * Resource-usage benchmarks, run by bench/list.ts on its running containers:
 * - the sampler's CPU time per second of wall time (in this process, with the real cgroup files), against one
 *   pass of `lxc-info -S` over the same containers (what a panel built on the tools would run every tick);
 * - the 24 h history query over HTTP for one container, in a database holding 7 days of minute rows and a year of
 *   hour rows for every container; and the bytes the history takes per container-year.
 */
import { stat } from "node:fs/promises";
import Database from "better-sqlite3";
import { execa } from "execa";
import { createDb } from "@/server/db";
import { logger } from "@/server/log";
import { MetricsHistory } from "@/server/metrics/history";
import { detectLayout } from "@/server/metrics/layout";
import { RecentWindow } from "@/server/metrics/recent";
import { MetricsSampler } from "@/server/metrics/sampler";
import { migrateDatabase } from "@/server/launcher/migrate";
import { SERIES } from "@/server/metrics/sample";
import { lxcPath } from "../tests/lxc-oracle";
import type { TRunningServer } from "../tests/server";

const SAMPLE_SECONDS = Number(process.env.BENCH_SAMPLE_SECONDS ?? 30);
const IDLE_SECONDS = 5;
const QUERIES = Number(process.env.BENCH_QUERIES ?? 30);
const MINUTE = 60_000;
const HOUR = 3_600_000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const p90 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.9)] ?? 0;
const ms = (value: number) => `${value.toFixed(1).padStart(7)} ms`;

/** The sampler as the server runs it, every second for SAMPLE_SECONDS, on a scratch database. */
const samplerCost = async (names: string[], databaseUrl: string) => {
  await migrateDatabase(databaseUrl);
  const db = createDb(databaseUrl);
  const recent = new RecentWindow(3600);
  const history = new MetricsHistory(db, logger, recent);
  const rows = names.map((name) => ({ name, state: "RUNNING" as const, pid: null }));
  const sampler = new MetricsSampler({
    layout: detectLayout(),
    lxcPath: lxcPath(),
    intervalMs: 1000,
    listContainers: () => Promise.resolve(rows),
    history,
    recent,
    log: logger,
  });
  await sampler.tick();
  // What this process spends doing nothing but waiting, over the same loop (timers, GC of earlier work): shown beside.
  const idleCpu = process.cpuUsage();
  const idleWall = performance.now();
  for (let second = 0; second < IDLE_SECONDS; second += 1)
    await new Promise((resolve) => setTimeout(resolve, 1000));
  const idle = process.cpuUsage(idleCpu);
  const idlePercent = ((idle.user + idle.system) / 1000 / (performance.now() - idleWall)) * 100;
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const tickTimes: number[] = [];
  let inTicks = 0;
  for (let second = 0; second < SAMPLE_SECONDS; second += 1) {
    const started = performance.now();
    const tickCpu = process.cpuUsage();
    const tick = await sampler.tick();
    const used = process.cpuUsage(tickCpu);
    inTicks += (used.user + used.system) / 1000;
    tickTimes.push(performance.now() - started);
    if (tick.containers.size !== names.length) throw new Error(`sampled ${tick.containers.size} containers`);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (performance.now() - started))));
  }
  await history.flush();
  const cpu = process.cpuUsage(cpuBefore);
  const wall = performance.now() - wallBefore;
  await db.$disconnect();
  return {
    // The whole process over the loop, its idle included: context only (a difference of two noisy figures is no
    // measure; the headline is the CPU time inside the ticks, measured directly).
    wholeProcessPercent: ((cpu.user + cpu.system) / 1000 / wall) * 100,
    idlePercent,
    percentInTicks: (inTicks / wall) * 100,
    tickMedian: median(tickTimes),
    recentBytes: recent.bytes(),
  };
};

/** One pass of `lxc-info -S` (CPU, memory, IO, network) over every container, one at a time. */
const lxcInfoPass = async (names: string[]) => {
  const started = performance.now();
  for (const name of names) await execa("lxc-info", ["-P", lxcPath(), "-n", name, "-S", "-H"]);
  return performance.now() - started;
};

/** 7 days of minute rows and a year of hour rows for every container, written straight into the server's database. */
const seedHistory = (file: string, names: string[], now: number) => {
  const db = new Database(file);
  const columns = [
    "container",
    "bucket",
    "samples",
    "oomKills",
    ...SERIES.flatMap((key) => [`${key}Min`, `${key}Avg`, `${key}Max`]),
  ];
  const insert = (table: string) =>
    db.prepare(
      `INSERT OR REPLACE INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
    );
  const minute = insert("MetricMinute");
  const hour = insert("MetricHour");
  const values = (index: number) =>
    SERIES.flatMap((_, series) => {
      const base = ((index * 7 + series * 13) % 100) * (series === 1 ? 1e6 : 1);
      return [base, base + 0.5, base + 1];
    });
  const firstMinute = Math.floor((now - 7 * 24 * HOUR) / MINUTE);
  const firstHour = Math.floor((now - 365 * 24 * HOUR) / HOUR);
  db.transaction(() => {
    for (const name of names) {
      for (let index = 0; index < 7 * 24 * 60; index += 1)
        minute.run(name, firstMinute + index, 60, 0, ...values(index));
      for (let index = 0; index < 365 * 24; index += 1)
        hour.run(name, firstHour + index, 3600, 0, ...values(index));
    }
  })();
  db.close();
};

export const benchMetrics = async (names: string[], server: TRunningServer, scratchUrl: string) => {
  process.stderr.write(`sampling ${names.length} containers for ${SAMPLE_SECONDS} s…\n`);
  const cost = await samplerCost(names, scratchUrl);
  const infoTimes = [await lxcInfoPass(names), await lxcInfoPass(names), await lxcInfoPass(names)];

  process.stderr.write("writing a year of history for every container…\n");
  const file = server.databaseUrl.replace(/^file:/, "");
  const sizeBefore = (await stat(file)).size;
  seedHistory(file, names, Date.now());
  const sizeAfter = (await stat(file)).size;
  const name = names[0] ?? "";
  const query = async () => {
    const input = encodeURIComponent(JSON.stringify({ json: { name, range: "24h" } }));
    const response = await fetch(`${server.url}/api/trpc/metrics.history?input=${input}`, {
      headers: { authorization: `Bearer ${server.tokens.viewer}` },
    });
    const body = (await response.json()) as { result: { data: { json: { t: number[] } } } };
    if (body.result.data.json.t.length < 1400)
      throw new Error(`24 h history has ${body.result.data.json.t.length} points`);
  };
  await query();
  const queryTimes: number[] = [];
  for (let round = 0; round < QUERIES; round += 1) {
    const started = performance.now();
    await query();
    queryTimes.push(performance.now() - started);
  }
  const infoOne: number[] = [];
  for (let round = 0; round < 10; round += 1) {
    const started = performance.now();
    await execa("lxc-info", ["-P", lxcPath(), "-n", name, "-S", "-H"]);
    infoOne.push(performance.now() - started);
  }
  const perContainerYear = (sizeAfter - sizeBefore) / names.length;
  return [
    `  sampler, ${names.length} containers at 1 s: ${cost.percentInTicks.toFixed(2)} % of one core, CPU time inside its ticks   (goal <= 3 %; whole bench process ${cost.wholeProcessPercent.toFixed(2)} %, of which ${cost.idlePercent.toFixed(2)} % idle); tick median ${ms(cost.tickMedian)}`,
    `  lxc-info -S over the same containers     ${ms(median(infoTimes))} per pass; ratio sampler tick / lxc-info pass: ${(cost.tickMedian / median(infoTimes)).toFixed(4)}`,
    `  in-memory last hour: ${(cost.recentBytes / 1024 / 1024).toFixed(1)} MiB for ${names.length} containers`,
    `  metrics.history 24 h over HTTP         median ${ms(median(queryTimes))}   p90 ${ms(p90(queryTimes))}   (goal <= 50 ms; 1440 points)`,
    `  lxc-info -S for one container           median ${ms(median(infoOne))}; ratio history query / lxc-info: ${(median(queryTimes) / median(infoOne)).toFixed(3)}`,
    `  history on disk: ${(perContainerYear / 1024 / 1024).toFixed(2)} MiB per container-year (7 days of minutes + 365 days of hours)`,
  ];
};
