import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatExposition } from "./exposition";
import { collectMetrics, MAX_INTERFACE_SERIES, METRICS, OTHER_INTERFACES } from "./prometheus";
import type { TContainerCounters, THostCounters } from "./read";

const counters: TContainerCounters = {
  cpuNs: 2_500_000_000,
  cpusetCpus: 2,
  memory: { usage: 1000, rss: 600, cache: 400, swap: null, limit: 4096 },
  oomKills: 1,
  pids: { current: 7, limit: null },
  io: { read: 10, write: 20 },
  net: [{ name: "eth0", rx: 300, tx: 100 }],
  pressure: { cpu: null, memory: null, io: null },
  netPid: 42,
};

const host: THostCounters = {
  cpus: 2,
  cpu: {
    busy: 300,
    total: 1300,
    modes: { user: 200, nice: 0, system: 100, idle: 1000, iowait: 0, irq: 0, softirq: 0, steal: 0 },
  },
  memory: { total: 8000, available: 6000, used: 2000, swapTotal: 100, swapFree: 40 },
  load: [0.5, 0.25, 0.125],
  disk: { total: 1e9, free: 4e8, available: 3e8 },
  net: [{ name: "enp1s0", rx: 5, tx: 6 }],
  oomKills: 3,
};

const exposition = () =>
  formatExposition(
    collectMetrics({
      containers: [
        { name: "web", state: "RUNNING" },
        { name: "db", state: "STOPPED" },
      ],
      counters: new Map([["web", { t: 1000, counters }]]),
      host,
      sampledAt: 1_700_000_000_000,
      panel: {
        requests: [{ route: "trpc", code: 200, count: 5 }],
        liveStreams: 2,
        consoleSessions: 1,
        jobs: [{ state: "running", count: 0 }],
      },
    }),
  );

describe("the /metrics exposition", () => {
  it("gives each container's state one-hot and its kernel counters in base units", () => {
    const text = exposition();
    expect(text).toContain('atelier_container_state{container="web",state="running"} 1\n');
    expect(text).toContain('atelier_container_state{container="web",state="stopped"} 0\n');
    expect(text).toContain('atelier_container_state{container="db",state="stopped"} 1\n');
    expect(text).toContain('atelier_container_cpu_seconds_total{container="web"} 2.5\n');
    expect(text).toContain('atelier_container_memory_limit_bytes{container="web"} 4096\n');
    expect(text).toContain(
      'atelier_container_network_receive_bytes_total{container="web",interface="eth0"} 300\n',
    );
    // What the kernel did not give is left out, not written as 0.
    expect(text).not.toMatch(/atelier_container_swap_bytes\{/);
    expect(text).not.toMatch(/atelier_container_pids_limit\{/);
    // A stopped container has a state, no usage.
    expect(text).not.toMatch(/atelier_container_cpu_seconds_total\{container="db"/);
  });

  it("gives the host's CPU time by mode in seconds (USER_HZ jiffies), memory, load, disk and network", () => {
    const text = exposition();
    expect(text).toContain('atelier_host_cpu_seconds_total{mode="user"} 2\n');
    expect(text).toContain('atelier_host_cpu_seconds_total{mode="idle"} 10\n');
    expect(text).toContain("atelier_host_swap_used_bytes 60\n");
    expect(text).toContain("atelier_host_load15 0.125\n");
    expect(text).toContain('atelier_host_network_transmit_bytes_total{interface="enp1s0"} 6\n');
    expect(text).toContain('atelier_http_requests_total{route="trpc",code="200"} 5\n');
    expect(text).toContain("atelier_metrics_sample_timestamp_seconds 1700000000\n");
  });

  it("keeps a container's own interface names from making series without end or two series with one label set", () => {
    // A container's root makes 600 interfaces, two of them named by bytes that are not UTF-8 (both read as U+FFFD),
    // and one with a quote and a backslash.
    const net = [
      { name: "eth0", rx: 1, tx: 2 },
      { name: "\uFFFD", rx: 10, tx: 20 },
      { name: "\uFFFD", rx: 100, tx: 200 },
      { name: 'a"b\\c', rx: 3, tx: 4 },
      ...Array.from({ length: 600 }, (_, index) => ({ name: `n${index}`, rx: 1, tx: 1 })),
    ];
    const text = formatExposition(
      collectMetrics({
        containers: [{ name: "web", state: "RUNNING" }],
        counters: new Map([["web", { t: 1000, counters: { ...counters, net } }]]),
        host: null,
        sampledAt: null,
        panel: { requests: [], liveStreams: 0, consoleSessions: 0, jobs: [] },
      }),
    );
    const lines = text
      .split("\n")
      .filter((line) => line.startsWith("atelier_container_network_receive_bytes_total{"));
    expect(lines).toHaveLength(MAX_INTERFACE_SERIES + 1);
    const labelSets = lines.map((line) => line.slice(0, line.lastIndexOf(" ")));
    expect(new Set(labelSets).size).toBe(labelSets.length);
    expect(lines).toContain(
      'atelier_container_network_receive_bytes_total{container="web",interface="\uFFFD"} 110',
    );
    expect(lines).toContain(
      'atelier_container_network_receive_bytes_total{container="web",interface="a\\"b\\\\c"} 3',
    );
    // Nothing is lost: the interfaces past the first ones are summed under a name no interface can have.
    expect(OTHER_INTERFACES).toMatch(/\s/);
    const shown = MAX_INTERFACE_SERIES - 3;
    expect(lines.at(-1)).toBe(
      `atelier_container_network_receive_bytes_total{container="web",interface="${OTHER_INTERFACES}"} ${600 - shown}`,
    );
  });

  it("declares every metric with units in its name, counters ending in _total and nothing else doing so", () => {
    for (const [name, { type }] of Object.entries(METRICS)) {
      expect(name).toMatch(/^atelier_[a-z0-9_]+$/);
      expect(name.endsWith("_total"), name).toBe(type === "counter");
    }
  });

  it("uses in the Grafana dashboard (docs/grafana-dashboard.json) only metrics it exposes", () => {
    const file = path.join(import.meta.dirname, "../../docs/grafana-dashboard.json");
    const dashboard = JSON.parse(readFileSync(file, "utf8")) as {
      panels: { title: string; targets?: { expr: string }[] }[];
    };
    const used = new Set<string>();
    for (const panel of dashboard.panels)
      for (const target of panel.targets ?? [])
        for (const name of target.expr.match(/\batelier_[a-z0-9_]+/g) ?? []) used.add(name);
    expect(used.size).toBeGreaterThan(10);
    for (const name of used) expect(Object.keys(METRICS), name).toContain(name);
  });
});
