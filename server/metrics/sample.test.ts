import { describe, expect, it } from "vitest";
import type { TContainerCounters } from "./read";
import { RecentWindow } from "./recent";
import { hostSeriesOf, seriesOf, toContainerSample, toHostSample } from "./sample";

const counters = (overrides: Partial<TContainerCounters> = {}): TContainerCounters => ({
  cpuNs: 0,
  cpusetCpus: 2,
  memory: { usage: 1000, rss: 600, cache: 400, swap: 0, limit: null },
  oomKills: 0,
  pids: { current: 3, limit: null },
  io: { read: 0, write: 0 },
  net: [{ name: "eth0", rx: 0, tx: 0 }],
  pressure: { cpu: null, memory: null, io: null },
  netPid: null,
  ...overrides,
});

describe("rates from two readings", () => {
  it("gives no rate on the first reading, then per-second rates and CPU percentages", () => {
    const first = { t: 10_000, counters: counters() };
    expect(toContainerSample("a", first, undefined, 4).cpu.percent).toBeNull();
    const second = {
      t: 12_000,
      counters: counters({
        cpuNs: 2e9, // 2 s of CPU in 2 s: one CPU busy
        io: { read: 4096, write: 8192 },
        net: [{ name: "eth0", rx: 2000, tx: 1000 }],
      }),
    };
    const sample = toContainerSample("a", second, first, 4);
    expect(sample.cpu.percent).toBeCloseTo(25); // one of the host's four CPUs
    expect(sample.cpu.percentOfCpuset).toBeCloseTo(50); // one of its two
    expect(sample.io).toEqual({ readPerSecond: 2048, writePerSecond: 4096 });
    expect(sample.net.rxPerSecond).toBe(1000);
    expect(sample.net.txPerSecond).toBe(500);
  });

  it("gives no rate when a counter went back (the container restarted)", () => {
    const before = { t: 0, counters: counters({ cpuNs: 5e9, io: { read: 100, write: 100 } }) };
    const after = { t: 1000, counters: counters({ cpuNs: 1e8, io: { read: 0, write: 50 } }) };
    const sample = toContainerSample("a", after, before, 2);
    expect(sample.cpu.percent).toBeNull();
    expect(sample.io).toEqual({ readPerSecond: null, writePerSecond: null });
  });

  it("gives no network total for a tick in which an interface appeared", () => {
    const before = { t: 0, counters: counters() };
    const after = {
      t: 1000,
      counters: counters({
        net: [
          { name: "eth0", rx: 10, tx: 10 },
          { name: "eth1", rx: 5, tx: 5 },
        ],
      }),
    };
    const sample = toContainerSample("a", after, before, 2);
    expect(sample.net.rxPerSecond).toBeNull();
    expect(sample.net.interfaces.map((entry) => entry.rxPerSecond)).toEqual([10, null]);
  });

  it("caps CPU at 100 % and takes host CPU from /proc/stat deltas", () => {
    const sample = toContainerSample(
      "a",
      { t: 1000, counters: counters({ cpuNs: 3e9 }) },
      { t: 0, counters: counters() },
      2,
    );
    expect(sample.cpu.percent).toBe(100);
    const host = toHostSample(
      {
        cpus: 2,
        cpu: { busy: 150, total: 400, modes: { ...NO_MODES, user: 150, idle: 250 } },
        memory: { total: 100, used: 40, available: 60, swapTotal: 10, swapFree: 4 },
        load: [1, 1, 1],
        disk: null,
        net: [],
        oomKills: null,
      },
      {
        cpus: 2,
        cpu: { busy: 100, total: 200, modes: { ...NO_MODES, user: 100, idle: 100 } },
        memory: { total: 100, used: 40, available: 60, swapTotal: 10, swapFree: 4 },
        load: [1, 1, 1],
        disk: null,
        net: [],
        oomKills: null,
      },
      { running: 1, total: 2 },
    );
    expect(host.cpu.percent).toBe(25);
    expect(host.memory.swapUsed).toBe(6);
  });
});

const NO_MODES = { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 };

describe("the host's figures", () => {
  const host = (busy: number, net: { name: string; rx: number; tx: number }[]) => ({
    cpus: 4,
    cpu: { busy, total: busy, modes: { ...NO_MODES, user: busy } },
    memory: { total: 100, used: 40, available: 60, swapTotal: 10, swapFree: 4 },
    load: [0.5, 0.25, 0.125] as [number, number, number],
    disk: { total: 1000, free: 300, available: 250 },
    net,
    oomKills: 2,
  });

  it("takes CPU as the busy time within the tick over the CPU time it offered", () => {
    // 2 s on 4 CPUs offer 800 jiffies; 200 were busy: 25 %, whatever /proc/stat's idle says.
    const now = host(1200, []);
    const sample = toHostSample(now, host(1000, []), { running: 0, total: 0 }, 2);
    expect(sample.cpu.percent).toBe(25);
    expect(toHostSample(now, undefined, { running: 0, total: 0 }, 2).cpu.percent).toBeNull();
  });

  it("gives the series kept as history, with network rates of interfaces seen in both readings", () => {
    const before = host(0, [
      { name: "eth0", rx: 100, tx: 50 },
      { name: "eth1", rx: 900, tx: 900 },
    ]);
    const now = host(100, [
      { name: "eth0", rx: 300, tx: 150 },
      // Re-created: its counters went back.
      { name: "eth1", rx: 10, tx: 10 },
      { name: "eth2", rx: 5000, tx: 5000 },
    ]);
    const sample = toHostSample(now, before, { running: 0, total: 0 }, 2);
    expect(hostSeriesOf(sample, now, before, 2)).toEqual({
      cpu: 12.5,
      memory: 40,
      memoryTotal: 100,
      swap: 6,
      load1: 0.5,
      load5: 0.25,
      load15: 0.125,
      diskUsed: 700,
      diskTotal: 1000,
      netRx: 100,
      netTx: 50,
    });
    expect(hostSeriesOf(sample, now, undefined, 0)).toMatchObject({ netRx: null, netTx: null });
  });
});

describe("the recent window", () => {
  it("keeps the last N ticks per container with gaps, and forgets containers gone for a whole window", () => {
    const window = new RecentWindow(3);
    const values = (cpu: number) => ({
      ...seriesOf(toContainerSample("a", { t: 0, counters: counters() }, undefined, 1)),
      cpu,
    });
    window.push(1000, new Map([["a", values(1)]]));
    window.push(
      2000,
      new Map([
        ["a", values(2)],
        ["b", values(9)],
      ]),
    );
    window.push(3000, new Map([["b", values(8)]]));
    expect(window.range("a", 0, 5000).series.cpu).toEqual([1, 2, null]);
    window.push(4000, new Map());
    expect(window.range("a", 0, 5000)).toMatchObject({ t: [2000, 3000, 4000] });
    expect(window.range("a", 0, 5000).series.cpu).toEqual([2, null, null]);
    expect(window.range("b", 2500, 5000).series.cpu).toEqual([8, null]);
    // Ticks before "b" was first sampled are not gaps: its range starts at its first sample.
    expect(window.range("b", 0, 5000).t).toEqual([2000, 3000, 4000]);
    window.push(5000, new Map());
    window.push(6000, new Map());
    expect(window.range("a", 0, 7000).t).toEqual([]);
    expect(window.oldest()).toBe(4000);
  });
});
