"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useFormat } from "@/components/i18n/use-format";
import { useTRPC } from "@/components/trpc";
import { Spinner } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import type { THistoryRange, THostHistoryResponse } from "@/server/trpc/routers/metrics/metrics.types";
import { COLORS } from "./colors";
import { RangePicker } from "./range-picker";
import { TimeChart, type TChartSeries } from "./time-chart";

type TSeriesKey = keyof THostHistoryResponse["series"];

/**
 * The host's usage over time (CPU, memory, load, disk space of the lxcpath, network), like a container's usage
 * charts: the last hour at 1 s, longer ranges as means with their peaks. The last hour is re-read every few seconds
 * (the host's live figures are in the overview above).
 */
export function HostHistory() {
  const t = useTranslations("metrics.host");
  const words = useTranslations("metrics.usage");
  const f = useFormat();
  const trpc = useTRPC();
  const [range, setRange] = useState<THistoryRange>("1h");
  const history = useQuery({
    ...trpc.metrics.hostHistory.queryOptions({ range }),
    refetchInterval: range === "1h" ? 5_000 : 60_000,
  });
  const data = history.data;
  const isAggregated = (data?.resolution ?? 1) > 1;
  /** A series' mean, and its peak when points are aggregated. */
  const meanAndPeak = (
    key: TSeriesKey,
    label: string,
    color: readonly [string, string],
    peak: readonly [string, string] = color,
  ): TChartSeries[] => [
    {
      label: isAggregated ? t("mean", { series: label }) : label,
      values: data?.series[key].avg ?? [],
      color: [...color],
    },
    ...(isAggregated
      ? [
          {
            label: t("peak", { series: label }),
            values: data?.series[key].max ?? [],
            color: [peak[0], peak[1]] satisfies [string, string],
            dash: [4, 3],
          },
        ]
      : []),
  ];
  const oomTotal = data?.oomKills.reduce((sum, value) => sum + value, 0) ?? 0;
  return (
    <section aria-labelledby="host-history-heading" className="space-y-3" data-testid="host-history">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="host-history-heading" className="text-lg font-semibold">
          {t("heading")}
        </h2>
        <RangePicker value={range} onChange={setRange} />
      </div>
      {history.isError && <ErrorAlert error={history.error} title={t("error")} />}
      {history.isPending && (
        <p role="status" className="flex items-center gap-2 text-sm">
          <Spinner /> {t("loading")}
        </p>
      )}
      {oomTotal > 0 && (
        <p role="note" className="text-sm text-red-700 dark:text-red-400">
          {words("oomInRange", { count: oomTotal })}
        </p>
      )}
      {data && (
        <div className="grid gap-3 lg:grid-cols-2" data-resolution={data.resolution}>
          <TimeChart
            title={t("cpu")}
            t={data.t}
            format={f.percent}
            minMax={10}
            series={meanAndPeak("cpu", t("cpuSeries"), COLORS.cpu, COLORS.cpuMax)}
          />
          <TimeChart
            title={t("memory")}
            t={data.t}
            format={f.bytes}
            series={[
              ...meanAndPeak("memory", t("memorySeries"), COLORS.memory),
              { label: t("swap"), values: data.series.swap.avg, color: [...COLORS.write] },
              {
                label: t("total"),
                values: data.series.memoryTotal.avg,
                color: [...COLORS.limit],
                dash: [6, 4],
              },
            ]}
          />
          <TimeChart
            title={t("load")}
            t={data.t}
            format={f.number}
            minMax={1}
            series={[
              { label: t("load1"), values: data.series.load1.avg, color: [...COLORS.cpu] },
              { label: t("load5"), values: data.series.load5.avg, color: [...COLORS.pids] },
              { label: t("load15"), values: data.series.load15.avg, color: [...COLORS.memory] },
            ]}
          />
          <TimeChart
            title={t("disk")}
            t={data.t}
            format={f.bytes}
            series={[
              { label: t("diskUsed"), values: data.series.diskUsed.avg, color: [...COLORS.read] },
              {
                label: t("total"),
                values: data.series.diskTotal.avg,
                color: [...COLORS.limit],
                dash: [6, 4],
              },
            ]}
          />
          <TimeChart
            title={t("network")}
            t={data.t}
            format={f.rate}
            minMax={1024}
            series={[
              ...meanAndPeak("netRx", words("charts.in"), COLORS.rx),
              ...meanAndPeak("netTx", words("charts.out"), COLORS.tx),
            ]}
          />
        </div>
      )}
    </section>
  );
}
