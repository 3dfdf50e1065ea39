import type { TContainerCounters, THostCounters } from "./read";

/**
 * What the sampler makes of two readings of the kernel's counters: rates per second and percentages. Pure, so that
 * counter resets, containers appearing and disappearing, and the first reading (no rate yet) are unit-tested.
 */
export type TContainerSample = {
  name: string;
  cpu: {
    /** Percent of the whole host (100 = one of its CPUs fully busy on a 1-CPU host; all CPUs on a larger one). */
    percent: number | null;
    /** Percent of the CPUs the container may use (its cpuset). */
    percentOfCpuset: number | null;
    cpusetCpus: number | null;
  };
  memory: {
    usage: number;
    rss: number | null;
    cache: number | null;
    swap: number | null;
    limit: number | null;
  };
  oomKills: number | null;
  pids: { current: number | null; limit: number | null };
  io: { readPerSecond: number | null; writePerSecond: number | null };
  net: {
    rxPerSecond: number | null;
    txPerSecond: number | null;
    interfaces: {
      name: string;
      rxPerSecond: number | null;
      txPerSecond: number | null;
      rx: number;
      tx: number;
    }[];
  };
  pressure: { cpu: number | null; memory: number | null; io: number | null };
};

export type THostSample = {
  cpus: number;
  cpu: { percent: number | null };
  memory: { total: number; used: number; available: number; swapTotal: number; swapUsed: number };
  load: [number, number, number];
  disk: { total: number; free: number; available: number } | null;
  containers: { running: number; total: number };
};

export type TReading = { t: number; counters: TContainerCounters };

/** A rate per second between two counter values, or null when there is no earlier value or the counter went back. */
const rate = (now: number, before: number | undefined, seconds: number) =>
  before === undefined || seconds <= 0 || now < before ? null : (now - before) / seconds;

export const toContainerSample = (
  name: string,
  now: TReading,
  before: TReading | undefined,
  hostCpus: number,
): TContainerSample => {
  const seconds = before ? (now.t - before.t) / 1000 : 0;
  const counters = now.counters;
  const previous = before?.counters;
  const cpuPerSecond = rate(counters.cpuNs, previous?.cpuNs, seconds);
  // CPU time per second of wall time, in CPUs: 1.0 is one CPU fully busy.
  const cpus = cpuPerSecond === null ? null : cpuPerSecond / 1e9;
  const percentOf = (count: number | null) =>
    cpus === null || !count ? null : Math.min(100, (cpus / count) * 100);
  const earlierInterfaces = new Map(previous?.net?.map((entry) => [entry.name, entry]) ?? []);
  const interfaces = (counters.net ?? []).map((entry) => ({
    name: entry.name,
    rx: entry.rx,
    tx: entry.tx,
    rxPerSecond: rate(entry.rx, earlierInterfaces.get(entry.name)?.rx, seconds),
    txPerSecond: rate(entry.tx, earlierInterfaces.get(entry.name)?.tx, seconds),
  }));
  const total = (key: "rxPerSecond" | "txPerSecond") =>
    counters.net === null || interfaces.some((entry) => entry[key] === null)
      ? null
      : interfaces.reduce((sum, entry) => sum + (entry[key] ?? 0), 0);
  return {
    name,
    cpu: {
      percent: percentOf(hostCpus),
      percentOfCpuset: percentOf(counters.cpusetCpus ?? hostCpus),
      cpusetCpus: counters.cpusetCpus,
    },
    memory: counters.memory,
    oomKills: counters.oomKills,
    pids: counters.pids,
    io: {
      readPerSecond: counters.io ? rate(counters.io.read, previous?.io?.read, seconds) : null,
      writePerSecond: counters.io ? rate(counters.io.write, previous?.io?.write, seconds) : null,
    },
    net: { rxPerSecond: total("rxPerSecond"), txPerSecond: total("txPerSecond"), interfaces },
    pressure: counters.pressure,
  };
};

/** Jiffies per second in /proc/stat (USER_HZ: 100 on every Linux architecture, whatever the kernel's HZ). */
export const USER_HZ = 100;

/**
 * The host's figures. CPU is the busy CPU time within the tick (from /proc/stat's busy modes) over the CPU time
 * the tick offered (`seconds` of wall time times the CPUs); without `seconds`, over /proc/stat's total.
 */
export const toHostSample = (
  now: THostCounters,
  before: THostCounters | undefined,
  containers: THostSample["containers"],
  seconds?: number,
): THostSample => {
  const busy = now.cpu && before?.cpu ? now.cpu.busy - before.cpu.busy : null;
  const offered =
    seconds !== undefined
      ? seconds * now.cpus * USER_HZ
      : now.cpu && before?.cpu
        ? now.cpu.total - before.cpu.total
        : null;
  return {
    cpus: now.cpus,
    cpu: { percent: busy === null || !offered || busy < 0 ? null : Math.min(100, (busy / offered) * 100) },
    memory: {
      total: now.memory.total,
      used: now.memory.used,
      available: now.memory.available,
      swapTotal: now.memory.swapTotal,
      swapUsed: now.memory.swapTotal - now.memory.swapFree,
    },
    load: now.load,
    disk: now.disk,
    containers,
  };
};

/** The host's series kept as history (a history of their own, HostMinute and HostHour). */
export const HOST_SERIES = [
  "cpu",
  "memory",
  "memoryTotal",
  "swap",
  "load1",
  "load5",
  "load15",
  "diskUsed",
  "diskTotal",
  "netRx",
  "netTx",
] as const;
export type THostSeries = (typeof HOST_SERIES)[number];

/** Bytes per second received and sent by the host's own interfaces between two readings. */
const hostNetRates = (now: THostCounters, before: THostCounters | undefined, seconds: number) => {
  if (!before || seconds <= 0) return { rx: null, tx: null };
  const earlier = new Map(before.net.map((entry) => [entry.name, entry]));
  let rx = 0;
  let tx = 0;
  for (const entry of now.net) {
    const previous = earlier.get(entry.name);
    // An interface that appeared, or whose counters went back (re-created): no rate for it in this tick.
    if (!previous || entry.rx < previous.rx || entry.tx < previous.tx) continue;
    rx += entry.rx - previous.rx;
    tx += entry.tx - previous.tx;
  }
  return { rx: rx / seconds, tx: tx / seconds };
};

export const hostSeriesOf = (
  sample: THostSample,
  now: THostCounters,
  before: THostCounters | undefined,
  seconds: number,
): Record<THostSeries, number | null> => {
  const net = hostNetRates(now, before, seconds);
  return {
    cpu: sample.cpu.percent,
    memory: sample.memory.used,
    memoryTotal: sample.memory.total,
    swap: sample.memory.swapUsed,
    load1: sample.load[0],
    load5: sample.load[1],
    load15: sample.load[2],
    diskUsed: sample.disk ? sample.disk.total - sample.disk.free : null,
    diskTotal: sample.disk?.total ?? null,
    netRx: net.rx,
    netTx: net.tx,
  };
};

/**
 * The series kept as history, each a number or null per sample: what the charts draw. Rates are per second, CPU
 * in percent of the host, sizes in bytes.
 */
export const SERIES = [
  "cpu",
  "memory",
  "memoryLimit",
  "swap",
  "pids",
  "ioRead",
  "ioWrite",
  "netRx",
  "netTx",
] as const;
export type TSeries = (typeof SERIES)[number];

export const seriesOf = (sample: TContainerSample): Record<TSeries, number | null> => ({
  cpu: sample.cpu.percent,
  memory: sample.memory.usage,
  memoryLimit: sample.memory.limit,
  swap: sample.memory.swap,
  pids: sample.pids.current,
  ioRead: sample.io.readPerSecond,
  ioWrite: sample.io.writePerSecond,
  netRx: sample.net.rxPerSecond,
  netTx: sample.net.txPerSecond,
});
