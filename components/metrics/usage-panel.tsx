"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useMemo, useState, type ReactNode } from "react";
import { useFormat } from "@/components/i18n/use-format";
import { useTRPC } from "@/components/trpc";
import { Spinner } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import type {
  TContainerSampleResponse,
  THistoryRange,
  TMetricsHistoryResponse,
} from "@/server/trpc/routers/metrics/metrics.types";
import { COLORS } from "./colors";
import { useMetricsReducer, type TMetricsSnapshot } from "./metrics-feed";
import { RangePicker } from "./range-picker";
import { TimeChart } from "./time-chart";
import { seriesOf } from "@/server/metrics/sample";

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
  const t = useTranslations("metrics.usage");
  const f = useFormat();
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
          {t("heading")}
        </h2>
        <RangePicker value={range} onChange={setRange} />
      </div>

      {!isRunning && <p className="text-sm text-slate-600 dark:text-slate-300">{t("notRunning")}</p>}
      {sample && (
        <dl aria-label={t("now")} data-testid="usage-now" className="grid grid-cols-2 gap-2 md:grid-cols-4">
          <Figure label={t("cpu")}>
            <span data-testid="cpu-now">{f.percent(sample.cpu.percent)}</span>
            {sample.cpu.cpusetCpus !== null && (
              <span className="ml-1 text-xs font-normal text-slate-500 dark:text-slate-400">
                {t("ofCpuset", {
                  percent: f.percent(sample.cpu.percentOfCpuset),
                  count: sample.cpu.cpusetCpus,
                })}
              </span>
            )}
          </Figure>
          <Figure label={t("memory")}>
            <span data-testid="memory-now">{f.bytes(sample.memory.usage)}</span>
            <span className="ml-1 text-xs font-normal text-slate-500 dark:text-slate-400">
              {sample.memory.limit === null
                ? t("noLimit")
                : t("ofLimit", {
                    limit: f.bytes(sample.memory.limit),
                    percent: f.percent((sample.memory.usage / sample.memory.limit) * 100),
                  })}
            </span>
          </Figure>
          <Figure label={t("memoryParts")}>
            {f.bytes(sample.memory.rss)} · {f.bytes(sample.memory.cache)} · {f.bytes(sample.memory.swap)}
          </Figure>
          <Figure label={t("oomKills")}>
            <span
              data-testid="oom-now"
              className={sample.oomKills ? "text-red-700 dark:text-red-400" : undefined}
            >
              {f.count(sample.oomKills)}
            </span>
          </Figure>
          <Figure label={t("processes")}>
            {sample.pids.limit === null
              ? f.count(sample.pids.current)
              : t("countOfLimit", { count: f.count(sample.pids.current), limit: f.count(sample.pids.limit) })}
          </Figure>
          <Figure label={t("disk")}>
            {f.rate(sample.io.readPerSecond)} · {f.rate(sample.io.writePerSecond)}
          </Figure>
          <Figure label={t("network")}>
            {f.rate(sample.net.rxPerSecond)} · {f.rate(sample.net.txPerSecond)}
            {sample.net.interfaces.length > 1 && (
              <span className="block text-xs font-normal text-slate-500 dark:text-slate-400">
                {sample.net.interfaces
                  .map((entry) => t("interfaceIn", { name: entry.name, rate: f.rate(entry.rxPerSecond) }))
                  .join(", ")}
              </span>
            )}
          </Figure>
          <Figure label={t("pressure")}>
            {[sample.pressure.cpu, sample.pressure.memory, sample.pressure.io]
              .map((value) => f.percent(value))
              .join(" · ")}
          </Figure>
        </dl>
      )}

      {history.isError && <ErrorAlert error={history.error} title={t("historyError")} />}
      {history.isPending && (
        <p role="status" className="flex items-center gap-2 text-sm">
          <Spinner /> {t("loadingHistory")}
        </p>
      )}
      {oomTotal > 0 && (
        <p role="note" className="text-sm text-red-700 dark:text-red-400">
          {t("oomInRange", { count: oomTotal })}
        </p>
      )}
      {data && (
        <div className="grid gap-3 lg:grid-cols-2" data-resolution={data.resolution}>
          <TimeChart
            title={t("charts.cpu")}
            t={data.t}
            format={f.percent}
            minMax={10}
            series={[
              {
                label: isAggregated ? t("charts.cpuMean") : t("charts.cpuSeries"),
                values: data.series.cpu.avg,
                color: [...COLORS.cpu],
              },
              ...(isAggregated
                ? [
                    {
                      label: t("charts.cpuPeak"),
                      values: withMax("cpu") ?? [],
                      color: [...COLORS.cpuMax] as [string, string],
                      dash: [4, 3],
                    },
                  ]
                : []),
            ]}
          />
          <TimeChart
            title={t("charts.memory")}
            t={data.t}
            format={f.bytes}
            series={[
              { label: t("charts.memorySeries"), values: data.series.memory.avg, color: [...COLORS.memory] },
              ...(isAggregated
                ? [
                    {
                      label: t("charts.memoryPeak"),
                      values: withMax("memory") ?? [],
                      color: [...COLORS.memory] as [string, string],
                      dash: [4, 3],
                    },
                  ]
                : []),
              {
                label: t("charts.limit"),
                values: data.series.memoryLimit.avg,
                color: [...COLORS.limit],
                dash: [6, 4],
              },
            ]}
          />
          <TimeChart
            title={t("charts.processes")}
            t={data.t}
            format={f.count}
            minMax={1}
            series={[{ label: t("charts.processes"), values: data.series.pids.avg, color: [...COLORS.pids] }]}
          />
          <TimeChart
            title={t("charts.disk")}
            t={data.t}
            format={f.rate}
            minMax={1024}
            series={[
              { label: t("charts.read"), values: data.series.ioRead.avg, color: [...COLORS.read] },
              { label: t("charts.write"), values: data.series.ioWrite.avg, color: [...COLORS.write] },
            ]}
          />
          <TimeChart
            title={t("charts.network")}
            t={data.t}
            format={f.rate}
            minMax={1024}
            series={[
              { label: t("charts.in"), values: data.series.netRx.avg, color: [...COLORS.rx] },
              { label: t("charts.out"), values: data.series.netTx.avg, color: [...COLORS.tx] },
            ]}
          />
        </div>
      )}
    </section>
  );
}
