// openSync only to read (O_RDONLY): the sampler's fast path.
// eslint-disable-next-line no-restricted-imports
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { statfs } from "node:fs/promises";
import os from "node:os";
import type { TCgroupLayout } from "./layout";
import {
  countCpuList,
  parseBlkioV1,
  parseIoStatV2,
  parseKeyValues,
  parseLimit,
  parseLoadavg,
  parseMeminfo,
  parseNetDev,
  parseNumber,
  parsePressure,
  parseProcStat,
  parseVmstatOomKills,
  type TInterfaceBytes,
  type TIoBytes,
} from "./parse";

/**
 * Reads a container's counters and the host's figures from kernel files: no process is spawned.
 *
 * The files stay open and are re-read from offset 0 (pread), into one buffer: cgroup and /proc files are generated
 * by the kernel on each read from the start, so this gives fresh figures with one system call instead of four
 * (open, fstat, read, close) and no allocation but the string: a quarter of the CPU of readFileSync. The reads are
 * synchronous: they take microseconds, less than a round trip through the thread pool. When a container's group is
 * removed (it stopped), reads of its open files fail; the file is closed and opened again once (a container
 * restarted under the same name has a new group), and the sampler closes the files of containers that are gone.
 * At most MAX_OPEN files are kept open (the rest are opened per read), well under the usual limit of 1024.
 */
const MAX_OPEN = 768;

export class KernelFiles {
  private readonly open = new Map<string, number>();
  private readonly buffer = Buffer.alloc(64 * 1024);

  read(file: string): string | null {
    const cached = this.open.get(file);
    if (cached !== undefined) {
      const text = this.readAll(cached);
      if (text !== null) return text;
      this.close(file);
    }
    let fd: number;
    try {
      fd = openSync(file, "r");
    } catch {
      return null;
    }
    const text = this.readAll(fd);
    if (text !== null && this.open.size < MAX_OPEN) this.open.set(file, fd);
    else closeSync(fd);
    return text;
  }

  /** Closes every open file whose path starts with one of these prefixes. */
  closeUnder(...prefixes: string[]) {
    for (const file of this.open.keys())
      if (prefixes.some((prefix) => file.startsWith(prefix))) this.close(file);
  }

  closeAll() {
    for (const file of [...this.open.keys()]) this.close(file);
  }

  get size() {
    return this.open.size;
  }

  private close(file: string) {
    const fd = this.open.get(file);
    this.open.delete(file);
    if (fd !== undefined) closeSync(fd);
  }

  private readAll(fd: number): string | null {
    try {
      let length = 0;
      for (;;) {
        const count = readSync(fd, this.buffer, length, this.buffer.length - length, length);
        length += count;
        if (count === 0 || length === this.buffer.length) break;
      }
      return this.buffer.toString("utf8", 0, length);
    } catch {
      return null;
    }
  }
}

export const kernelFiles = new KernelFiles();
const read = (file: string) => kernelFiles.read(file);

/** Closes the files kept open for a container that is gone (its groups and the process of its network view). */
export const forgetContainer = (
  layout: TCgroupLayout,
  name: string,
  counters: TContainerCounters | undefined,
) => {
  const dirs = Object.values(layout.dirs(name)).filter((dir): dir is string => dir !== null);
  kernelFiles.closeUnder(
    ...dirs.map((dir) => `${dir}/`),
    ...(counters?.netPid ? [`/proc/${counters.netPid}/`] : []),
  );
};

/** Counters and gauges of one container at one instant, as the kernel gives them. */
export type TContainerCounters = {
  /** CPU time used since the container started, in nanoseconds. */
  cpuNs: number;
  /** CPUs the container may run on (its effective cpuset). */
  cpusetCpus: number | null;
  memory: {
    usage: number;
    rss: number | null;
    cache: number | null;
    swap: number | null;
    limit: number | null;
  };
  /** OOM kills inside the container since it started. */
  oomKills: number | null;
  pids: { current: number | null; limit: number | null };
  io: TIoBytes | null;
  /** Bytes per interface as the container sees them (loopback left out); null when its init is not found. */
  net: TInterfaceBytes[] | null;
  /** PSI "some" over the last 10 s, in percent of time. */
  pressure: { cpu: number | null; memory: number | null; io: number | null };
  /** The process whose /proc/PID/net/dev gave `net`. */
  netPid: number | null;
};

/**
 * What changes rarely (limits, cpuset, the process used for the network view) is re-read every LIMITS_EVERY
 * readings, and PSI (itself a 10 s average) and the memory breakdown (memory.stat, the largest file, which the kernel
 * computes over the whole group) every DETAIL_EVERY; in between, the previous reading's values are kept. Usage, CPU,
 * IO, OOM kills, processes and the network are read every time.
 * That halves the files read per container per tick.
 */
const LIMITS_EVERY = 10;
const DETAIL_EVERY = 5;

export const readContainer = (
  layout: TCgroupLayout,
  name: string,
  pid: number | null,
  previous?: TContainerCounters,
  reading = 0,
): TContainerCounters | null => {
  const dirs = layout.dirs(name);
  const keep = previous && reading % LIMITS_EVERY !== 0 ? previous : undefined;
  const keepDetail = previous && reading % DETAIL_EVERY !== 0 ? previous : undefined;
  const keptPressure = keepDetail?.pressure;
  const network = (dir: string) => {
    const cached = keep?.netPid ?? null;
    const fromCache = cached === null ? null : readNet(cached);
    if (fromCache) return { net: fromCache, netPid: cached };
    const found = firstPid(dir) ?? pid;
    // The process changed: the old one's file shows a network namespace the container may no longer use.
    if (cached !== null && cached !== found) kernelFiles.closeUnder(`/proc/${cached}/`);
    return { net: readNet(found), netPid: found };
  };
  if (layout.version === 2) {
    const dir = dirs.memory ?? "";
    const cpuStat = read(`${dir}/cpu.stat`);
    const current = read(`${dir}/memory.current`);
    // The group is gone: the container stopped between the list and this read.
    if (cpuStat === null || current === null) return null;
    const stat = keepDetail ? null : parseKeyValues(read(`${dir}/memory.stat`) ?? "");
    const events = parseKeyValues(read(`${dir}/memory.events`) ?? "");
    const ioStat = read(`${dir}/io.stat`);
    return {
      cpuNs: (parseKeyValues(cpuStat).get("usage_usec") ?? 0) * 1000,
      cpusetCpus: keep ? keep.cpusetCpus : countCpuList(read(`${dir}/cpuset.cpus.effective`) ?? ""),
      memory: {
        usage: parseNumber(current) ?? 0,
        rss: stat ? (stat.get("anon") ?? null) : (keepDetail?.memory.rss ?? null),
        cache: stat ? (stat.get("file") ?? null) : (keepDetail?.memory.cache ?? null),
        swap: stat
          ? parseNumber(read(`${dir}/memory.swap.current`) ?? "")
          : (keepDetail?.memory.swap ?? null),
        limit: keep ? keep.memory.limit : parseLimit(read(`${dir}/memory.max`) ?? ""),
      },
      oomKills: events.get("oom_kill") ?? null,
      pids: {
        current: parseNumber(read(`${dir}/pids.current`) ?? ""),
        limit: keep ? keep.pids.limit : parseLimit(read(`${dir}/pids.max`) ?? ""),
      },
      io: ioStat === null ? null : parseIoStatV2(ioStat),
      ...network(dir),
      pressure: keptPressure ?? readPressure(dir),
    };
  }
  const cpuUsage = dirs.cpu ? read(`${dirs.cpu}/cpuacct.usage`) : null;
  const usage = dirs.memory ? read(`${dirs.memory}/memory.usage_in_bytes`) : null;
  if (cpuUsage === null || usage === null) return null;
  const stat = keepDetail ? null : parseKeyValues(read(`${dirs.memory}/memory.stat`) ?? "");
  const blkio = dirs.io ? read(`${dirs.io}/blkio.throttle.io_service_bytes_recursive`) : null;
  return {
    cpuNs: parseNumber(cpuUsage) ?? 0,
    cpusetCpus: keep
      ? keep.cpusetCpus
      : dirs.cpuset
        ? countCpuList(read(`${dirs.cpuset}/cpuset.effective_cpus`) ?? "")
        : null,
    memory: {
      usage: parseNumber(usage) ?? 0,
      rss: stat ? (stat.get("total_rss") ?? null) : (keepDetail?.memory.rss ?? null),
      cache: stat ? (stat.get("total_cache") ?? null) : (keepDetail?.memory.cache ?? null),
      // Present only when the kernel accounts swap (swapaccount=1).
      swap: stat ? (stat.get("total_swap") ?? null) : (keepDetail?.memory.swap ?? null),
      limit: keep ? keep.memory.limit : parseLimit(read(`${dirs.memory}/memory.limit_in_bytes`) ?? ""),
    },
    oomKills: parseKeyValues(read(`${dirs.memory}/memory.oom_control`) ?? "").get("oom_kill") ?? null,
    pids: dirs.pids
      ? {
          current: parseNumber(read(`${dirs.pids}/pids.current`) ?? ""),
          limit: keep ? keep.pids.limit : parseLimit(read(`${dirs.pids}/pids.max`) ?? ""),
        }
      : { current: null, limit: null },
    io: blkio === null ? null : parseBlkioV1(blkio),
    ...network(dirs.memory ?? ""),
    pressure:
      keptPressure ?? (dirs.pressure ? readPressure(dirs.pressure) : { cpu: null, memory: null, io: null }),
  };
};

/**
 * A process of the container, for its network view: the first in its group (re-read with the limits, so a stale or
 * reused PID is not kept for long). Containers running systemd keep their processes in child groups: the init PID
 * from the state table is used then.
 */
const firstPid = (dir: string) => parseNumber((read(`${dir}/cgroup.procs`) ?? "").split("\n")[0] ?? "");

const readNet = (pid: number | null) => {
  if (pid === null) return null;
  const text = read(`/proc/${pid}/net/dev`);
  return text === null ? null : parseNetDev(text);
};

const readPressure = (dir: string) => ({
  cpu: parsePressure(read(`${dir}/cpu.pressure`) ?? ""),
  memory: parsePressure(read(`${dir}/memory.pressure`) ?? ""),
  io: parsePressure(read(`${dir}/io.pressure`) ?? ""),
});

export type THostCounters = {
  cpus: number;
  cpu: ReturnType<typeof parseProcStat>;
  memory: ReturnType<typeof parseMeminfo>;
  load: [number, number, number];
  /** The filesystem holding the lxcpath. */
  disk: { total: number; free: number; available: number } | null;
  /**
   * Bytes of the machine's own interfaces (not loopback, not virtual ones: veths, bridges and tunnels would count
   * the containers' traffic twice), as this process's network namespace sees them.
   */
  net: TInterfaceBytes[];
  /** Processes the kernel killed for want of memory since boot (any group, the host's own included). */
  oomKills: number | null;
};

const isVirtual = new Map<string, boolean>();
const isVirtualInterface = (name: string) => {
  let known = isVirtual.get(name);
  if (known === undefined) {
    // Interface names never hold a slash; a name that did would not be looked up outside the directory.
    known = name.includes("/") || existsSync(`/sys/devices/virtual/net/${name}`);
    if (isVirtual.size > 4096) isVirtual.clear();
    isVirtual.set(name, known);
  }
  return known;
};

export const readHost = async (lxcPath: string): Promise<THostCounters> => {
  const disk = await statfs(lxcPath).catch(() => null);
  return {
    cpus: os.cpus().length,
    cpu: parseProcStat(read("/proc/stat") ?? ""),
    memory: parseMeminfo(read("/proc/meminfo") ?? ""),
    load: parseLoadavg(read("/proc/loadavg") ?? ""),
    disk: disk
      ? {
          total: disk.blocks * disk.bsize,
          free: disk.bfree * disk.bsize,
          available: disk.bavail * disk.bsize,
        }
      : null,
    net: parseNetDev(read("/proc/net/dev") ?? "").filter((entry) => !isVirtualInterface(entry.name)),
    oomKills: parseVmstatOomKills(read("/proc/vmstat") ?? ""),
  };
};
