"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo, useState, type ReactNode } from "react";
import { useTRPC } from "@/components/trpc";
import { Spinner } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import type {
  TContainerSampleResponse,
  THistoryRange,
  TMetricsHistoryResponse,
} from "@/server/trpc/routers/metrics/metrics.types";
import { COLORS } from "./colors";
import { formatBytes, formatCount, formatPercent, formatRate } from "@/components/lib/format";
import { useMetricsReducer, type TMetricsSnapshot } from "./metrics-feed";
import { TimeChart } from "./time-chart";
import { seriesOf } from "@/server/metrics/sample";

const RANGES: { value: THistoryRange; label: string }[] = [
  { value: "1h", label: "1 hour" },
  { value: "24h", label: "24 hours" },
  { value: "7d", label: "7 days" },
  { value: "30d", label: "30 days" },
  { value: "1y", label: "1 year" },
];
const HOUR = 3_600_000;

type TSeriesKey = keyof TMetricsHistoryResponse["series"];

type TLivePoint = { t: number; values: Record<TSeriesKey, number | null> };
type TLive = { sample: TContainerSampleResponse | null; points: TLivePoint[] };

/** Each message about this container: the latest sample, and the points of the last hour for the live chart. */
const follow =
  (name: string) =>
  (state: TLive, message: TMetricsSnapshot): TLive => {
    const sample = message.containers?.[name];
    if (sample === undefined || message.t === null) return state;
    if (sample === null) return { sample: null, points: state.points };
    const lastT = state.points.at(-1)?.t ?? 0;
    if (message.t <= lastT) return { ...state, sample };
    return { sample, points: [...state.points, { t: message.t, values: seriesOf(sample) }].slice(-3600) };
  };

/** History for the chosen range; for the last hour, extended by every tick of the stream since it was read. */
function useUsageHistory(name: string, range: THistoryRange, points: TLivePoint[]) {
  const trpc = useTRPC();
  const history = useQuery({
    ...trpc.metrics.history.queryOptions({ name, range }),
    // Longer ranges gain a point a minute (or an hour): re-read now and then rather than per tick.
    refetchInterval: range === "1h" ? false : 60_000,
  });
  const data = useMemo(() => {
    if (!history.data || range !== "1h") return history.data ?? null;
    const lastT = history.data.t.at(-1) ?? 0;
    const appended = points.filter((point) => point.t > lastT);
    if (appended.length === 0) return history.data;
    const from = (appended.at(-1)?.t ?? 0) - HOUR;
    const keep = history.data.t.findIndex((time) => time >= from);
    const start = keep < 0 ? history.data.t.length : keep;
    const series = Object.fromEntries(
      Object.entries(history.data.series).map(([key, value]) => {
        const extra = appended.map((point) => point.values[key as TSeriesKey]);
        return [
          key,
          {
            min: [...value.min.slice(start), ...extra],
            avg: [...value.avg.slice(start), ...extra],
            max: [...value.max.slice(start), ...extra],
          },
        ];
      }),
    ) as TMetricsHistoryResponse["series"];
    return {
      ...history.data,
      t: [...history.data.t.slice(start), ...appended.map((point) => point.t)],
      series,
      oomKills: [...history.data.oomKills.slice(start), ...appended.map(() => 0)],
    };
  }, [history.data, points, range]);
  return { history, data };
}

function Figure({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-3 py-2 dark:border-slate-800 dark:bg-slate-900">
      <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="text-sm font-medium tabular-nums">{children}</dd>
    </div>
  );
}

/** A container's usage now (as text) and over time (charts), live while it runs. */
export function UsagePanel({ name, isRunning }: { name: string; isRunning: boolean }) {
  const [range, setRange] = useState<THistoryRange>("1h");
  const { sample, points } = useMetricsReducer<TLive>({ containers: [name] }, follow(name), {
    sample: null,
    points: [],
  });
  const { history, data } = useUsageHistory(name, range, points);
  const isAggregated = (data?.resolution ?? 1) > 1;
  const withMax = (key: TSeriesKey) => (isAggregated ? (data?.series[key].max ?? []) : null);

  const oomTotal = data?.oomKills.reduce((sum, value) => sum + value, 0) ?? 0;
  return (
    <section aria-labelledby="usage-heading" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="usage-heading" className="text-lg font-semibold">
          Usage
        </h2>
        <div role="group" aria-label="Time range" className="flex gap-1">
          {RANGES.map((entry) => (
            <button
              key={entry.value}
              type="button"
              aria-pressed={range === entry.value}
              onClick={() => setRange(entry.value)}
              className={`rounded-md px-2.5 py-1 text-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 ${range === entry.value ? "bg-slate-900 text-white dark:bg-white dark:text-slate-900" : "text-slate-700 hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800"}`}
            >
              {entry.label}
            </button>
          ))}
        </div>
      </div>

      {!isRunning && (
        <p className="text-sm text-slate-600 dark:text-slate-300">
          Not running: no live figures. The charts show what was recorded while it ran.
        </p>
      )}
      {sample && (
        <dl aria-label="Usage now" data-testid="usage-now" className="grid grid-cols-2 gap-2 md:grid-cols-4">
          <Figure label="CPU (of the host)">
            <span data-testid="cpu-now">{formatPercent(sample.cpu.percent)}</span>
            {sample.cpu.cpusetCpus !== null && (
              <span className="ml-1 text-xs font-normal text-slate-500 dark:text-slate-400">
                {formatPercent(sample.cpu.percentOfCpuset)} of its {sample.cpu.cpusetCpus} CPU
                {sample.cpu.cpusetCpus === 1 ? "" : "s"}
              </span>
            )}
          </Figure>
          <Figure label="Memory">
            <span data-testid="memory-now">{formatBytes(sample.memory.usage)}</span>
            <span className="ml-1 text-xs font-normal text-slate-500 dark:text-slate-400">
              {sample.memory.limit === null
                ? "no limit"
                : `of ${formatBytes(sample.memory.limit)} (${formatPercent((sample.memory.usage / sample.memory.limit) * 100)})`}
            </span>
          </Figure>
          <Figure label="RSS · cache · swap">
            {formatBytes(sample.memory.rss)} · {formatBytes(sample.memory.cache)} ·{" "}
            {formatBytes(sample.memory.swap)}
          </Figure>
          <Figure label="OOM kills since start">
            <span
              data-testid="oom-now"
              className={sample.oomKills ? "text-red-700 dark:text-red-400" : undefined}
            >
              {formatCount(sample.oomKills)}
            </span>
          </Figure>
          <Figure label="Processes">
            {formatCount(sample.pids.current)}
            {sample.pids.limit !== null && ` of ${formatCount(sample.pids.limit)}`}
          </Figure>
          <Figure label="Disk read · write">
            {formatRate(sample.io.readPerSecond)} · {formatRate(sample.io.writePerSecond)}
          </Figure>
          <Figure label="Network in · out">
            {formatRate(sample.net.rxPerSecond)} · {formatRate(sample.net.txPerSecond)}
            {sample.net.interfaces.length > 1 && (
              <span className="block text-xs font-normal text-slate-500 dark:text-slate-400">
                {sample.net.interfaces
                  .map((entry) => `${entry.name} ${formatRate(entry.rxPerSecond)} in`)
                  .join(", ")}
              </span>
            )}
          </Figure>
          <Figure label="Pressure (CPU · memory · IO)">
            {[sample.pressure.cpu, sample.pressure.memory, sample.pressure.io]
              .map((value) => formatPercent(value))
              .join(" · ")}
          </Figure>
        </dl>
      )}

      {history.isError && <ErrorAlert error={history.error} title="The usage history could not be read" />}
      {history.isPending && (
        <p role="status" className="flex items-center gap-2 text-sm">
          <Spinner /> Loading usage history…
        </p>
      )}
      {oomTotal > 0 && (
        <p role="note" className="text-sm text-red-700 dark:text-red-400">
          {oomTotal} process{oomTotal === 1 ? " was" : "es were"} killed for lack of memory in this range.
        </p>
      )}
      {data && (
        <div className="grid gap-3 lg:grid-cols-2" data-resolution={data.resolution}>
          <TimeChart
            title="CPU, % of the host"
            t={data.t}
            format={formatPercent}
            minMax={10}
            series={[
              {
                label: isAggregated ? "CPU (mean)" : "CPU",
                values: data.series.cpu.avg,
                color: [...COLORS.cpu],
              },
              ...(isAggregated
                ? [
                    {
                      label: "CPU (peak)",
                      values: withMax("cpu") ?? [],
                      color: [...COLORS.cpuMax] as [string, string],
                      dash: [4, 3],
                    },
                  ]
                : []),
            ]}
          />
          <TimeChart
            title="Memory and its limit"
            t={data.t}
            format={formatBytes}
            series={[
              { label: "Memory", values: data.series.memory.avg, color: [...COLORS.memory] },
              ...(isAggregated
                ? [
                    {
                      label: "Memory (peak)",
                      values: withMax("memory") ?? [],
                      color: [...COLORS.memory] as [string, string],
                      dash: [4, 3],
                    },
                  ]
                : []),
              { label: "Limit", values: data.series.memoryLimit.avg, color: [...COLORS.limit], dash: [6, 4] },
            ]}
          />
          <TimeChart
            title="Processes"
            t={data.t}
            format={formatCount}
            minMax={1}
            series={[{ label: "Processes", values: data.series.pids.avg, color: [...COLORS.pids] }]}
          />
          <TimeChart
            title="Disk IO"
            t={data.t}
            format={formatRate}
            minMax={1024}
            series={[
              { label: "Read", values: data.series.ioRead.avg, color: [...COLORS.read] },
              { label: "Write", values: data.series.ioWrite.avg, color: [...COLORS.write] },
            ]}
          />
          <TimeChart
            title="Network"
            t={data.t}
            format={formatRate}
            minMax={1024}
            series={[
              { label: "In", values: data.series.netRx.avg, color: [...COLORS.rx] },
              { label: "Out", values: data.series.netTx.avg, color: [...COLORS.tx] },
            ]}
          />
        </div>
      )}
    </section>
  );
}
