/**
 * Parsers for the kernel files the metrics sampler reads: cgroup v1 and v2 files, /proc/<pid>/net/dev, /proc/stat,
 * /proc/meminfo, /proc/loadavg and /proc/self/mountinfo. Pure functions over file contents, so that they are tested
 * on captured files (see __fixtures__/README.md).
 */

/** `key value` lines (memory.stat, cpu.stat, memory.events, memory.oom_control, cpuacct.stat). */
export const parseKeyValues = (text: string): Map<string, number> => {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    const space = line.indexOf(" ");
    if (space <= 0) continue;
    const value = Number(line.slice(space + 1));
    if (Number.isFinite(value)) values.set(line.slice(0, space), value);
  }
  return values;
};

/** A single number (memory.usage_in_bytes, pids.current...), or null when the file is empty or not a number. */
export const parseNumber = (text: string): number | null => {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
};

/**
 * A limit: `max` (v2) or a huge value (v1 writes PAGE_COUNTER_MAX pages as 9223372036854771712) means none.
 * Anything at or above 2^60 bytes is treated as unlimited.
 */
export const parseLimit = (text: string): number | null => {
  const trimmed = text.trim();
  if (trimmed === "max" || trimmed === "") return null;
  const value = Number(trimmed);
  if (!Number.isFinite(value) || value >= 2 ** 60) return null;
  return value;
};

/** A CPU list such as `0-3,8,10-11`: the number of CPUs in it. */
export const countCpuList = (text: string): number | null => {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  let count = 0;
  for (const part of trimmed.split(",")) {
    const [from, to] = part.split("-").map(Number);
    if (from === undefined || !Number.isInteger(from)) return null;
    if (to === undefined) count += 1;
    else if (Number.isInteger(to) && to >= from) count += to - from + 1;
    else return null;
  }
  return count;
};

export type TIoBytes = { read: number; write: number };

/** cgroup v1 blkio.throttle.io_service_bytes_recursive: `MAJ:MIN Read N` lines, summed over devices. */
export const parseBlkioV1 = (text: string): TIoBytes => {
  let read = 0;
  let write = 0;
  for (const line of text.split("\n")) {
    const [device, operation, value] = line.trim().split(/\s+/);
    if (!device || device === "Total" || value === undefined) continue;
    if (operation === "Read") read += Number(value) || 0;
    else if (operation === "Write") write += Number(value) || 0;
  }
  return { read, write };
};

/** cgroup v2 io.stat: `MAJ:MIN rbytes=N wbytes=N ...` lines, summed over devices. */
export const parseIoStatV2 = (text: string): TIoBytes => {
  let read = 0;
  let write = 0;
  for (const line of text.split("\n")) {
    for (const field of line.trim().split(/\s+/).slice(1)) {
      const [key, value] = field.split("=");
      if (key === "rbytes") read += Number(value) || 0;
      else if (key === "wbytes") write += Number(value) || 0;
    }
  }
  return { read, write };
};

/** PSI (`cpu.pressure`...): the `some avg10` share of time stalled over the last 10 s, in percent. */
export const parsePressure = (text: string): number | null => {
  const match = /^some avg10=([\d.]+)/m.exec(text);
  return match?.[1] === undefined ? null : Number(match[1]);
};

export type TInterfaceBytes = { name: string; rx: number; tx: number };

/** /proc/<pid>/net/dev: bytes received and sent per interface, loopback left out. */
export const parseNetDev = (text: string): TInterfaceBytes[] => {
  const interfaces: TInterfaceBytes[] = [];
  for (const line of text.split("\n").slice(2)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === "lo") continue;
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    const rx = fields[0];
    const tx = fields[8];
    if (rx === undefined || tx === undefined || !Number.isFinite(rx) || !Number.isFinite(tx)) continue;
    interfaces.push({ name, rx, tx });
  }
  return interfaces;
};

/** The CPU modes of /proc/stat's `cpu` line, in its order (guest and guest_nice are already in user and nice). */
export const CPU_MODES = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"] as const;
export type TCpuMode = (typeof CPU_MODES)[number];

/**
 * The `cpu` line of /proc/stat: jiffies since boot per mode, busy (the time spent running something, summed from
 * its own modes rather than taken as total minus idle) and total.
 */
export const parseProcStat = (
  text: string,
): { busy: number; total: number; modes: Record<TCpuMode, number> } | null => {
  const line = text.split("\n").find((candidate) => candidate.startsWith("cpu "));
  if (!line) return null;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  const modes = Object.fromEntries(
    CPU_MODES.map((mode, index) => [mode, Number.isFinite(fields[index]) ? (fields[index] ?? 0) : 0]),
  ) as Record<TCpuMode, number>;
  const busy = modes.user + modes.nice + modes.system + modes.irq + modes.softirq + modes.steal;
  return { busy, total: busy + modes.idle + modes.iowait, modes };
};

/** The `oom_kill` line of /proc/vmstat (kernels 4.13 and later): OOM kills since boot. */
export const parseVmstatOomKills = (text: string): number | null => {
  const match = /^oom_kill (\d+)$/m.exec(text);
  return match?.[1] ? Number(match[1]) : null;
};

/** /proc/meminfo, in bytes. */
export const parseMeminfo = (text: string) => {
  const kib = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^(\w+):\s+(\d+)/.exec(line);
    if (match?.[1] && match[2]) kib.set(match[1], Number(match[2]) * 1024);
  }
  const total = kib.get("MemTotal") ?? 0;
  const available = kib.get("MemAvailable") ?? kib.get("MemFree") ?? 0;
  return {
    total,
    available,
    used: total - available,
    swapTotal: kib.get("SwapTotal") ?? 0,
    swapFree: kib.get("SwapFree") ?? 0,
  };
};

/** /proc/loadavg: the 1, 5 and 15 minute load averages. */
export const parseLoadavg = (text: string): [number, number, number] => {
  const [one = 0, five = 0, fifteen = 0] = text.trim().split(/\s+/).map(Number);
  return [one, five, fifteen];
};

export type TCgroupMount = { mountPoint: string; root: string; version: 1 | 2; controllers: string[] };

/** The cgroup hierarchies in /proc/self/mountinfo; a later mount on the same point hides an earlier one. */
export const parseCgroupMounts = (text: string): TCgroupMount[] => {
  const byPoint = new Map<string, TCgroupMount>();
  for (const line of text.split("\n")) {
    const separator = line.indexOf(" - ");
    if (separator < 0) continue;
    const [, , , root, mountPoint] = line.slice(0, separator).split(" ");
    const [fsType, , superOptions = ""] = line.slice(separator + 3).split(" ");
    if (!root || !mountPoint) continue;
    const point = unescapeMountPath(mountPoint);
    if (fsType === "cgroup2") {
      byPoint.set(point, { mountPoint: point, root: unescapeMountPath(root), version: 2, controllers: [] });
    } else if (fsType === "cgroup") {
      const controllers = superOptions
        .split(",")
        .filter((option) => !["rw", "ro"].includes(option) && !option.includes("="));
      byPoint.set(point, { mountPoint: point, root: unescapeMountPath(root), version: 1, controllers });
    } else {
      // Something else mounted over a cgroup mount point hides it.
      byPoint.delete(point);
    }
  }
  return [...byPoint.values()];
};

/** mountinfo escapes space, tab, newline and backslash as octal. */
const unescapeMountPath = (value: string) =>
  value.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
