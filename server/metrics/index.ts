import type { TDb } from "../db";
import type { EventBus } from "../events/bus";
import type { TLogger } from "../log";
import { HOST_HISTORY, MetricsHistory } from "./history";
import { detectLayout } from "./layout";
import { MetricsStreams } from "./live";
import { RecentWindow } from "./recent";
import { HOST_SERIES } from "./sample";
import { MetricsSampler } from "./sampler";
import { sqliteRowReader } from "./sqlite-reader";

export type { TCgroupLayout } from "./layout";
export type { THistory } from "./history";
export { HOST_KEY } from "./sampler";
export type { TMetricsPayload, TSummaryRow, TWatch } from "./live";
export type { TContainerSample, THostSample, TSeries } from "./sample";

/** The usage pieces, built once per server: sampler, recent window, history, live streams. */
export const createMetrics = ({
  db,
  containers,
  events,
  lxcPath,
  intervalMs,
  databaseUrl,
  log,
}: {
  db: TDb;
  databaseUrl: string;
  /**
   * The containers to sample (the container service, which lists them; typed here by what the sampler needs, as
   * the container service sits above metrics: its list shows each container's memory, read by ./memory.ts).
   */
  containers: { list: ConstructorParameters<typeof MetricsSampler>[0]["listContainers"] };
  events: EventBus;
  lxcPath: string;
  intervalMs: number;
  log: TLogger;
}) => {
  const layout = detectLayout();
  const recent = new RecentWindow(Math.ceil(3_600_000 / intervalMs));
  const reader = sqliteRowReader(databaseUrl);
  const history = new MetricsHistory(db, log, recent, Date.now, reader ?? undefined);
  const hostRecent = new RecentWindow(Math.ceil(3_600_000 / intervalMs), HOST_SERIES);
  const hostHistory = new MetricsHistory(db, log, hostRecent, Date.now, reader ?? undefined, HOST_HISTORY);
  const streams = new MetricsStreams();
  const sampler = new MetricsSampler({
    layout,
    lxcPath,
    intervalMs,
    listContainers: () => containers.list(),
    history,
    recent,
    hostHistory,
    hostRecent,
    log,
    onOomKill: ({ name, kills, total, limit }) =>
      void events.publish({
        type: "oom",
        container: name,
        data: {
          message: `${kills === 1 ? "a process was" : `${kills} processes were`} killed: out of memory${limit === null ? "" : ` (limit ${limit} bytes)`}`,
          kills,
          total,
          limit,
        },
      }),
  });
  sampler.subscribe((tick) => streams.publish(tick));
  return {
    layout,
    recent,
    history,
    hostHistory,
    streams,
    sampler,
    intervalMs,
    start: () => sampler.start(),
    stop: () => sampler.stop(),
  };
};

export type TMetrics = ReturnType<typeof createMetrics>;
