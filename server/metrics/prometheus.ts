import { CONTAINER_STATES, type TContainerState } from "../schemas/container-state";
import { CPU_MODES } from "./parse";
import type { THostCounters } from "./read";
import { USER_HZ, type TReading } from "./sample";
import type { TMetricFamily, TMetricType, TSample } from "./exposition";

/**
 * What GET /metrics exposes, by name: every metric is declared here once, with its help and type (the Grafana
 * dashboard in docs/ is checked against this table). Counters are the kernel's own totals as the sampler read them
 * in its last tick (no rates: Prometheus computes those), sizes in bytes, times in seconds.
 */
export const METRICS = {
  atelier_container_state: {
    type: "gauge",
    help: "1 for the state the container is in (as LXC names it, in lower case), 0 for the others.",
  },
  atelier_container_cpu_seconds_total: {
    type: "counter",
    help: "CPU time the container's processes used since it started.",
  },
  atelier_container_cpus: { type: "gauge", help: "CPUs the container may run on (its effective cpuset)." },
  atelier_container_memory_bytes: {
    type: "gauge",
    help: "Memory the container uses (its cgroup's usage, page cache included).",
  },
  atelier_container_memory_rss_bytes: { type: "gauge", help: "Anonymous memory (RSS) of the container." },
  atelier_container_memory_cache_bytes: { type: "gauge", help: "Page cache charged to the container." },
  atelier_container_memory_limit_bytes: {
    type: "gauge",
    help: "The container's memory limit (absent when it has none).",
  },
  atelier_container_swap_bytes: {
    type: "gauge",
    help: "Swap the container uses (when the kernel accounts it).",
  },
  atelier_container_pids: { type: "gauge", help: "Processes (and threads) in the container." },
  atelier_container_pids_limit: {
    type: "gauge",
    help: "The container's limit on processes (absent when it has none).",
  },
  atelier_container_io_read_bytes_total: {
    type: "counter",
    help: "Bytes the container read from block devices since it started.",
  },
  atelier_container_io_write_bytes_total: {
    type: "counter",
    help: "Bytes the container wrote to block devices since it started.",
  },
  atelier_container_network_receive_bytes_total: {
    type: "counter",
    help: "Bytes received on each of the container's interfaces, as the container sees them.",
  },
  atelier_container_network_transmit_bytes_total: {
    type: "counter",
    help: "Bytes sent on each of the container's interfaces, as the container sees them.",
  },
  atelier_container_oom_kills_total: {
    type: "counter",
    help: "Processes of the container the kernel killed for want of memory since it started.",
  },
  atelier_host_cpus: { type: "gauge", help: "CPUs of the host." },
  atelier_host_cpu_seconds_total: {
    type: "counter",
    help: "CPU time of all the host's CPUs since boot, by mode (/proc/stat).",
  },
  atelier_host_memory_total_bytes: { type: "gauge", help: "The host's memory." },
  atelier_host_memory_available_bytes: {
    type: "gauge",
    help: "Memory available for new work without swapping (MemAvailable).",
  },
  atelier_host_memory_used_bytes: {
    type: "gauge",
    help: "The host's memory in use (total minus available).",
  },
  atelier_host_swap_total_bytes: { type: "gauge", help: "The host's swap space." },
  atelier_host_swap_used_bytes: { type: "gauge", help: "The host's swap space in use." },
  atelier_host_load1: { type: "gauge", help: "The host's load average over 1 minute." },
  atelier_host_load5: { type: "gauge", help: "The host's load average over 5 minutes." },
  atelier_host_load15: { type: "gauge", help: "The host's load average over 15 minutes." },
  atelier_host_disk_size_bytes: {
    type: "gauge",
    help: "Size of the filesystem holding the containers (lxcpath).",
  },
  atelier_host_disk_free_bytes: {
    type: "gauge",
    help: "Free space of the filesystem holding the containers.",
  },
  atelier_host_disk_available_bytes: {
    type: "gauge",
    help: "Space of the filesystem holding the containers available to unprivileged users.",
  },
  atelier_host_network_receive_bytes_total: {
    type: "counter",
    help: "Bytes received on each of the host's own interfaces (not loopback, not virtual ones).",
  },
  atelier_host_network_transmit_bytes_total: {
    type: "counter",
    help: "Bytes sent on each of the host's own interfaces (not loopback, not virtual ones).",
  },
  atelier_host_oom_kills_total: {
    type: "counter",
    help: "Processes the kernel killed for want of memory since boot, anywhere on the host.",
  },
  atelier_http_requests_total: {
    type: "counter",
    help: "HTTP requests Atelier answered since it started, by kind of route and status code.",
  },
  atelier_live_streams: { type: "gauge", help: "Live event streams (Server-Sent Events) open now." },
  atelier_console_sessions: { type: "gauge", help: "Console and shell sessions open now." },
  atelier_jobs: { type: "gauge", help: "Jobs in Atelier's job log, by state." },
  atelier_metrics_sample_timestamp_seconds: {
    type: "gauge",
    help: "When the sampler last read the counters above (Unix time).",
  },
} as const satisfies Record<string, { type: TMetricType; help: string }>;

export type TMetricName = keyof typeof METRICS;

/**
 * Interfaces of one container given a series of their own: the first ones in the kernel's order (those LXC moved
 * in at start come before any the container made later). A container's root names its interfaces and may make
 * hundreds, or rename them before every scrape: each name would be a new series in Prometheus for ever.
 */
export const MAX_INTERFACE_SERIES = 16;
/** Where the rest are summed: a space is in no interface name (the kernel refuses it), so no guest can take it. */
export const OTHER_INTERFACES = "(other interfaces)";

/**
 * A container's interfaces as labels: names that read the same once decoded (bytes that are not UTF-8 all become
 * U+FFFD) are one series, never two with the same labels; past MAX_INTERFACE_SERIES, one OTHER_INTERFACES series.
 */
export const containerInterfaces = (net: readonly { name: string; rx: number; tx: number }[]) => {
  const byName = new Map<string, { name: string; rx: number; tx: number }>();
  for (const { name, rx, tx } of net) {
    const key = byName.has(name) || byName.size < MAX_INTERFACE_SERIES ? name : OTHER_INTERFACES;
    const entry = byName.get(key);
    if (entry) {
      entry.rx += rx;
      entry.tx += tx;
    } else byName.set(key, { name: key, rx, tx });
  }
  // The sum last, whichever interface reached it first.
  const others = byName.get(OTHER_INTERFACES);
  byName.delete(OTHER_INTERFACES);
  return others ? [...byName.values(), others] : [...byName.values()];
};

export type TPrometheusInputs = {
  /** Every container Atelier knows, with its state. */
  containers: { name: string; state: TContainerState }[];
  /** The counters of the last tick, per sampled (running or frozen) container. */
  counters: ReadonlyMap<string, TReading>;
  host: THostCounters | null;
  sampledAt: number | null;
  panel: {
    requests: { route: string; code: number; count: number }[];
    liveStreams: number;
    consoleSessions: number;
    jobs: { state: string; count: number }[];
  };
};

/** Every metric of METRICS, in its order, with the samples these inputs give. */
export const collectMetrics = ({ containers, counters, host, sampledAt, panel }: TPrometheusInputs) => {
  const samples = new Map<TMetricName, TSample[]>(
    (Object.keys(METRICS) as TMetricName[]).map((name) => [name, []]),
  );
  const add = (name: TMetricName, value: number | null | undefined, labels?: Record<string, string>) => {
    if (value === null || value === undefined || !Number.isFinite(value)) return;
    samples.get(name)?.push(labels ? { labels, value } : { value });
  };

  for (const { name, state } of containers)
    for (const each of CONTAINER_STATES)
      add("atelier_container_state", each === state ? 1 : 0, {
        container: name,
        state: each.toLowerCase(),
      });
  for (const [name, { counters: c }] of counters) {
    const container = { container: name };
    add("atelier_container_cpu_seconds_total", c.cpuNs / 1e9, container);
    add("atelier_container_cpus", c.cpusetCpus, container);
    add("atelier_container_memory_bytes", c.memory.usage, container);
    add("atelier_container_memory_rss_bytes", c.memory.rss, container);
    add("atelier_container_memory_cache_bytes", c.memory.cache, container);
    add("atelier_container_memory_limit_bytes", c.memory.limit, container);
    add("atelier_container_swap_bytes", c.memory.swap, container);
    add("atelier_container_pids", c.pids.current, container);
    add("atelier_container_pids_limit", c.pids.limit, container);
    add("atelier_container_io_read_bytes_total", c.io?.read, container);
    add("atelier_container_io_write_bytes_total", c.io?.write, container);
    for (const entry of containerInterfaces(c.net ?? [])) {
      add("atelier_container_network_receive_bytes_total", entry.rx, { ...container, interface: entry.name });
      add("atelier_container_network_transmit_bytes_total", entry.tx, {
        ...container,
        interface: entry.name,
      });
    }
    add("atelier_container_oom_kills_total", c.oomKills, container);
  }

  if (host) {
    add("atelier_host_cpus", host.cpus);
    if (host.cpu)
      for (const mode of CPU_MODES)
        add("atelier_host_cpu_seconds_total", host.cpu.modes[mode] / USER_HZ, { mode });
    add("atelier_host_memory_total_bytes", host.memory.total);
    add("atelier_host_memory_available_bytes", host.memory.available);
    add("atelier_host_memory_used_bytes", host.memory.used);
    add("atelier_host_swap_total_bytes", host.memory.swapTotal);
    add("atelier_host_swap_used_bytes", host.memory.swapTotal - host.memory.swapFree);
    add("atelier_host_load1", host.load[0]);
    add("atelier_host_load5", host.load[1]);
    add("atelier_host_load15", host.load[2]);
    add("atelier_host_disk_size_bytes", host.disk?.total);
    add("atelier_host_disk_free_bytes", host.disk?.free);
    add("atelier_host_disk_available_bytes", host.disk?.available);
    for (const entry of host.net) {
      add("atelier_host_network_receive_bytes_total", entry.rx, { interface: entry.name });
      add("atelier_host_network_transmit_bytes_total", entry.tx, { interface: entry.name });
    }
    add("atelier_host_oom_kills_total", host.oomKills);
  }

  for (const { route, code, count } of panel.requests)
    add("atelier_http_requests_total", count, { route, code: String(code) });
  add("atelier_live_streams", panel.liveStreams);
  add("atelier_console_sessions", panel.consoleSessions);
  for (const { state, count } of panel.jobs) add("atelier_jobs", count, { state });
  add("atelier_metrics_sample_timestamp_seconds", sampledAt === null ? null : sampledAt / 1000);

  return (Object.entries(METRICS) as [TMetricName, { type: TMetricType; help: string }][]).map(
    ([name, { type, help }]): TMetricFamily => ({ name, type, help, samples: samples.get(name) ?? [] }),
  );
};
