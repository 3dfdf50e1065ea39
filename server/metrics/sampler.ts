import type { TListedContainer } from "../helper/contract/lxc";
import type { TLogger } from "../log";
import type { MetricsHistory } from "./history";
import type { TCgroupLayout } from "./layout";
import { forgetContainer, kernelFiles, readContainer, readHost, type THostCounters } from "./read";
import type { RecentWindow } from "./recent";
import {
  hostSeriesOf,
  seriesOf,
  toContainerSample,
  toHostSample,
  type THostSeries,
  type TContainerSample,
  type THostSample,
  type TReading,
  type TSeries,
} from "./sample";

const YIELD_EVERY = 16;

export type TTick = { t: number; host: THostSample; containers: Map<string, TContainerSample> };

/** The name the host's figures go by in their own recent window and history. */
export const HOST_KEY = "host";

/**
 * Every `intervalMs`, reads the counters of every running (or frozen) container and of the host, turns them into
 * rates, keeps them in the recent window and the history, and hands the tick to listeners (the SSE streams).
 *
 * The list of containers comes from the state table (memory, kept current by lxc-monitor); a container that stops
 * between the list and the read is skipped, one that appears is sampled from the next tick (its first rates a tick
 * later); a counter that goes back (the container restarted) gives no rate for that tick.
 */
export class MetricsSampler {
  latest: TTick | null = null;
  private readonly listeners = new Set<(tick: TTick) => void>();
  private readonly readings = new Map<string, TReading>();
  private hostBefore: { t: number; counters: THostCounters } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private ticking: Promise<void> | undefined;
  /** Ticks so far; staggers the re-reading of limits across containers. */
  private ticks = 0;

  constructor(
    private readonly options: {
      layout: TCgroupLayout;
      lxcPath: string;
      intervalMs: number;
      listContainers: () => Promise<Pick<TListedContainer, "name" | "state" | "pid">[]>;
      history: MetricsHistory;
      recent: RecentWindow;
      /** The host's figures, kept like a container's (absent: not kept). */
      hostHistory?: MetricsHistory<THostSeries>;
      hostRecent?: RecentWindow<THostSeries>;
      onOomKill?: (event: { name: string; kills: number; total: number; limit: number | null }) => void;
      log: TLogger;
      now?: () => number;
    },
  ) {}

  start() {
    if (this.running) return;
    this.running = true;
    const loop = () => {
      if (!this.running) return;
      const startedAt = performance.now();
      this.ticking = this.tick()
        .then(() => undefined)
        .catch((error: unknown) => this.options.log.error("metrics sample failed", { error }))
        .finally(() => {
          this.ticking = undefined;
          if (!this.running) return;
          const elapsed = performance.now() - startedAt;
          this.timer = setTimeout(loop, Math.max(0, this.options.intervalMs - elapsed));
          this.timer.unref();
        });
    };
    loop();
  }

  async stop() {
    this.running = false;
    clearTimeout(this.timer);
    await this.ticking;
    kernelFiles.closeAll();
    await this.options.history.flush();
    await this.options.hostHistory?.flush();
  }

  /** The kernel's counters of every container sampled in the last tick (for /metrics: totals, not rates). */
  counters(): ReadonlyMap<string, TReading> {
    return this.readings;
  }

  /** The host's counters of the last tick. */
  hostCounters(): THostCounters | null {
    return this.hostBefore?.counters ?? null;
  }

  subscribe(listener: (tick: TTick) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async tick(): Promise<TTick> {
    const { layout, history, recent } = this.options;
    const rows = await this.options.listContainers();
    const t = (this.options.now ?? Date.now)();
    this.ticks += 1;
    const hostCounters = await readHost(this.options.lxcPath);
    const containers = new Map<string, TContainerSample>();
    const series = new Map<string, Record<TSeries, number | null>>();
    for (const [index, row] of rows.entries()) {
      if (row.state === "STOPPED") continue;
      // The reads are synchronous: let other work (requests) run between batches of containers.
      if (index > 0 && index % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
      const before = this.readings.get(row.name);
      const counters = readContainer(layout, row.name, row.pid, before?.counters, this.ticks + index);
      if (!counters) continue;
      const reading = { t, counters };
      this.readings.set(row.name, reading);
      const sample = toContainerSample(row.name, reading, before, hostCounters.cpus);
      containers.set(row.name, sample);
      const values = seriesOf(sample);
      series.set(row.name, values);
      const kills =
        before?.counters.oomKills != null && counters.oomKills != null
          ? Math.max(0, counters.oomKills - before.counters.oomKills)
          : 0;
      history.add(row.name, t, values, kills);
      if (kills > 0)
        this.options.onOomKill?.({
          name: row.name,
          kills,
          total: counters.oomKills ?? kills,
          limit: counters.memory.limit,
        });
    }
    for (const [name, reading] of this.readings) {
      if (containers.has(name)) continue;
      this.readings.delete(name);
      forgetContainer(layout, name, reading.counters);
    }
    recent.push(t, series);
    const before = this.hostBefore;
    const seconds = before ? (t - before.t) / 1000 : 0;
    const host = toHostSample(
      hostCounters,
      before?.counters,
      { running: containers.size, total: rows.length },
      seconds > 0 ? seconds : undefined,
    );
    this.hostBefore = { t, counters: hostCounters };
    const hostSeries = hostSeriesOf(host, hostCounters, before?.counters, seconds);
    const hostKills =
      before?.counters.oomKills != null && hostCounters.oomKills != null
        ? Math.max(0, hostCounters.oomKills - before.counters.oomKills)
        : 0;
    this.options.hostHistory?.add(HOST_KEY, t, hostSeries, hostKills);
    this.options.hostRecent?.push(t, new Map([[HOST_KEY, hostSeries]]));
    history.closeFinished();
    this.options.hostHistory?.closeFinished();
    const tick = { t, host, containers };
    this.latest = tick;
    for (const listener of this.listeners) listener(tick);
    return tick;
  }
}
