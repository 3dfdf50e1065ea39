import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logger } from "../log";
import type { MetricsHistory } from "./history";
import type { TCgroupLayout } from "./layout";
import { RecentWindow } from "./recent";
import { HOST_SERIES, type THostSeries } from "./sample";
import { HOST_KEY, MetricsSampler } from "./sampler";

/**
 * The sampler over cgroup directories made of the captured v1 files (server/metrics/__fixtures__/v1), so that
 * containers can appear, vanish and restart between ticks at the test's command.
 */
// Made before the tests, not when the file is collected (`vitest list` would leave it behind).
let root = "";
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "atelier-sampler-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const fixtures = path.join(import.meta.dirname, "__fixtures__", "v1");
const group = (name: string) => path.join(root, name);
const layout: TCgroupLayout = {
  version: 1,
  dirs: (name) => ({
    cpu: group(name),
    memory: group(name),
    pids: group(name),
    io: group(name),
    cpuset: group(name),
    pressure: null,
  }),
};
const makeGroup = (name: string, cpuNs: number) => {
  mkdirSync(group(name), { recursive: true });
  cpSync(fixtures, group(name), { recursive: true });
  writeFileSync(path.join(group(name), "cpuacct.usage"), `${cpuNs}\n`);
};
const setCpu = (name: string, cpuNs: number) =>
  writeFileSync(path.join(group(name), "cpuacct.usage"), `${cpuNs}\n`);
const setOom = (name: string, kills: number) =>
  writeFileSync(
    path.join(group(name), "memory.oom_control"),
    `oom_kill_disable 0\nunder_oom 0\noom_kill ${kills}\n`,
  );

describe("the sampler", () => {
  it("rates CPU between ticks, skips containers that vanish, restarts rates after a reset, reports OOM kills", async () => {
    let now = 1_000_000;
    let rows = [{ name: "a", state: "RUNNING" as const, pid: null }];
    const added: string[] = [];
    const kills: { name: string; kills: number }[] = [];
    const history = {
      add: (name: string) => added.push(name),
      closeFinished: () => undefined,
      flush: () => Promise.resolve(),
    } as unknown as MetricsHistory;
    const hostAdded: Record<THostSeries, number | null>[] = [];
    const hostHistory = {
      add: (_name: string, _t: number, series: Record<THostSeries, number | null>) => hostAdded.push(series),
      closeFinished: () => undefined,
      flush: () => Promise.resolve(),
    } as unknown as MetricsHistory<THostSeries>;
    const hostRecent = new RecentWindow(10, HOST_SERIES);
    const sampler = new MetricsSampler({
      layout,
      lxcPath: root,
      intervalMs: 1000,
      listContainers: () => Promise.resolve(rows),
      history,
      recent: new RecentWindow(10),
      hostHistory,
      hostRecent,
      onOomKill: (event) => kills.push(event),
      log: logger,
      now: () => now,
    });
    makeGroup("a", 1e9);
    let tick = await sampler.tick();
    expect(tick.containers.get("a")?.cpu.percent).toBeNull(); // no rate from one reading

    now += 1000;
    setCpu("a", 1e9 + 5e8); // half a CPU for a second
    tick = await sampler.tick();
    const cpus = tick.host.cpus;
    expect(tick.containers.get("a")?.cpu.percent).toBeCloseTo(50 / cpus);
    expect(tick.containers.get("a")?.memory.limit).toBe(64 * 1024 * 1024);

    // "b" is listed but its group is already gone (it stopped between the list and the read): skipped, no error.
    rows = [...rows, { name: "b", state: "RUNNING" as const, pid: null }];
    now += 1000;
    setOom("a", 2);
    tick = await sampler.tick();
    expect([...tick.containers.keys()]).toEqual(["a"]);
    expect(kills).toEqual([expect.objectContaining({ name: "a", kills: 2, total: 2 })]);

    // "b" appears; "a" restarted (its counter went back): no CPU rate for it on this tick.
    makeGroup("b", 0);
    setCpu("a", 1000);
    now += 1000;
    tick = await sampler.tick();
    expect([...tick.containers.keys()].sort()).toEqual(["a", "b"]);
    expect(tick.containers.get("a")?.cpu.percent).toBeNull();

    // "a" stops (gone from the list and its group removed).
    rmSync(group("a"), { recursive: true });
    rows = rows.filter((row) => row.name !== "a");
    now += 1000;
    tick = await sampler.tick();
    expect([...tick.containers.keys()]).toEqual(["b"]);
    expect(tick.host.containers).toEqual({ running: 1, total: 1 });
    expect(added.filter((name) => name === "a")).toHaveLength(4);
    // The host's figures went to their own history and window every tick; its CPU from the second tick on.
    expect(hostAdded).toHaveLength(5);
    expect(hostAdded[0]?.cpu).toBeNull();
    expect(hostAdded[1]?.cpu).toEqual(expect.any(Number));
    expect(hostAdded[4]?.memoryTotal).toBeGreaterThan(0);
    expect(hostRecent.range(HOST_KEY, 0, now).t).toHaveLength(5);
    expect(sampler.counters().has("b")).toBe(true);
    expect(sampler.hostCounters()?.cpus).toBe(tick.host.cpus);
  });
});
