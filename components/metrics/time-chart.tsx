"use client";

import { useLocale, useTimeZone, useTranslations } from "next-intl";
import { useEffect, useMemo, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useFormat } from "@/components/i18n/use-format";
import { useDarkMode } from "@/components/ui/use-dark-mode";
import type { TLocale } from "@/server/i18n/locales";

/**
 * A time series chart (uPlot: canvas, fast with thousands of points). The legend under it follows the cursor and
 * shows each series' value with its unit at that time; the chart's accessible name says what it shows and the latest
 * values, and the page shows the same figures as text.
 */
export type TChartSeries = {
  label: string;
  values: (number | null)[];
  /** Colours for light and dark mode. */
  color: [string, string];
  dash?: number[];
};

/** The words of a chart in the page's language: a point's time, and a series' value in the tooltip. */
type TSay = { time: (ms: number) => string; value: (series: string, value: string) => string };

const SECOND = 1;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;
/**
 * The time axis' labels in uPlot's template syntax: per tick spacing (seconds), a tick's label, then the longer
 * label of a tick where a new year, month, day, hour, minute or second begins. English keeps uPlot's own table
 * (undefined: month/day, a 12-hour clock); French writes day/month and a 24-hour clock.
 */
const DAY_FR = "{DD}/{MM}";
const DATE_FR = "{DD}/{MM}/{YY}";
const SECONDS_FR = [`\n${DATE_FR} {H}:{mm}`, null, `\n${DAY_FR} {H}:{mm}`, null, "\n{H}:{mm}", null, 1];
const TIME_AXIS: Record<TLocale, uPlot.Axis.TimeValuesConfig | undefined> = {
  en: undefined,
  fr: [
    [YEAR, "{YYYY}", null, null, null, null, null, null, 1],
    [DAY * 28, "{MMM}", "\n{YYYY}", null, null, null, null, null, 1],
    [DAY, DAY_FR, "\n{YYYY}", null, null, null, null, null, 1],
    [HOUR, "{H}\u00a0h", `\n${DATE_FR}`, null, `\n${DAY_FR}`, null, null, null, 1],
    [MINUTE, "{H}:{mm}", `\n${DATE_FR}`, null, `\n${DAY_FR}`, null, null, null, 1],
    [SECOND, ":{ss}", ...SECONDS_FR],
    [SECOND / 1000, ":{ss}.{fff}", ...SECONDS_FR],
  ],
};

/** Month and weekday names in the page's language, for the time axis' {MMM} (uPlot's own are English). */
const dateNames = (locale: string): uPlot.DateNames => {
  const names = (options: Intl.DateTimeFormatOptions, dates: Date[]) => {
    const format = new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" });
    return dates.map((date) => format.format(date));
  };
  const months = Array.from({ length: 12 }, (_, month) => new Date(Date.UTC(2021, month, 1)));
  // 3 January 2021 was a Sunday, uPlot's first weekday.
  const days = Array.from({ length: 7 }, (_, day) => new Date(Date.UTC(2021, 0, 3 + day)));
  return {
    MMMM: names({ month: "long" }, months),
    MMM: names({ month: "short" }, months),
    WWWW: names({ weekday: "long" }, days),
    WWW: names({ weekday: "short" }, days),
  };
};

/** A tooltip that follows the cursor with the time and every series' value at that point. */
const tooltip = (formatValue: (value: number | null) => string, say: () => TSay): uPlot.Plugin => {
  let box: HTMLDivElement | null = null;
  return {
    hooks: {
      init: (plot) => {
        box = document.createElement("div");
        box.className =
          "pointer-events-none absolute z-10 hidden whitespace-nowrap rounded-md border border-slate-200 bg-white px-2 py-1 text-xs shadow-md dark:border-slate-700 dark:bg-slate-900";
        box.setAttribute("role", "tooltip");
        plot.over.appendChild(box);
      },
      setCursor: (plot) => {
        if (!box) return;
        const { left, top, idx } = plot.cursor;
        const time = idx === null || idx === undefined ? undefined : plot.data[0][idx];
        if (left === undefined || top === undefined || left < 0 || time === undefined) {
          box.classList.add("hidden");
          return;
        }
        const lines = [say().time(time * 1000)];
        plot.series.slice(1).forEach((series, index) => {
          const value = plot.data[index + 1]?.[idx as number] ?? null;
          lines.push(say().value(typeof series.label === "string" ? series.label : "", formatValue(value)));
        });
        box.replaceChildren(
          ...lines.map((line, index) => {
            const row = document.createElement("div");
            row.textContent = line;
            if (index === 0) row.className = "text-slate-500 dark:text-slate-400";
            return row;
          }),
        );
        box.classList.remove("hidden");
        const width = box.offsetWidth;
        const x = left + 12 + width > plot.over.clientWidth ? left - 12 - width : left + 12;
        box.style.left = `${Math.max(0, x)}px`;
        box.style.top = `${Math.max(0, top - 12)}px`;
      },
    },
  };
};

export function TimeChart({
  title,
  t,
  series,
  format,
  height = 160,
  minMax = 0,
}: {
  title: string;
  /** Point times, ms since the epoch. */
  t: number[];
  series: TChartSeries[];
  format: (value: number) => string;
  height?: number;
  /** The y axis goes at least this high (a 0–100 % chart, a memory limit). */
  minMax?: number;
}) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const isDark = useDarkMode();
  const words = useTranslations("metrics.chart");
  const f = useFormat();
  const locale = useLocale();
  // The host's time zone (components/i18n/request.ts): the axis says the times the tooltip and the pages say.
  const timeZone = useTimeZone();
  const timeLabel = words("time");
  const say = useMemo<TSay>(
    () => ({ time: f.dateTimeSeconds, value: (series, value) => words("value", { series, value }) }),
    [f, words],
  );
  // What the chart is built from (labels, colours, dashes): a new chart only when this changes, not on new data.
  const style = JSON.stringify(series.map(({ label, color, dash }) => ({ label, color, dash })));
  const data = useMemo(
    () => [t.map((time) => time / 1000), ...series.map((entry) => entry.values)] as uPlot.AlignedData,
    [t, series],
  );
  const latest = useRef({ data, format, minMax, say });
  useEffect(() => {
    latest.current = { data, format, minMax, say };
  });

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const axis = isDark ? "#cbd5e1" : "#475569";
    const grid = isDark ? "#1e293b" : "#e2e8f0";
    const formatValue = (value: number | null) => (value === null ? "–" : latest.current.format(value));
    const styles = JSON.parse(style) as Omit<TChartSeries, "values">[];
    const names = dateNames(locale);
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height,
      fmtDate: (template) => uPlot.fmtDate(template, names),
      ...(timeZone ? { tzDate: (seconds: number) => uPlot.tzDate(new Date(seconds * 1000), timeZone) } : {}),
      series: [
        {
          label: timeLabel,
          value: (_plot, value) => (value ? latest.current.say.time(value * 1000) : "–"),
        },
        ...styles.map((entry) => ({
          label: entry.label,
          stroke: entry.color[isDark ? 1 : 0],
          width: 1.5,
          dash: entry.dash,
          value: (_plot: uPlot, value: number | null) => formatValue(value),
        })),
      ],
      scales: {
        x: { time: true },
        y: { range: (_plot, _min, max) => [0, Math.max(max || 0, latest.current.minMax, 1e-9) * 1.05] },
      },
      axes: [
        {
          stroke: axis,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid },
          ...(TIME_AXIS[locale] ? { values: TIME_AXIS[locale] } : {}),
        },
        {
          stroke: axis,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid },
          size: 72,
          values: (_plot, splits) => splits.map((value) => latest.current.format(value)),
        },
      ],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      plugins: [tooltip(formatValue, () => latest.current.say)],
    };
    const chart = new uPlot(options, latest.current.data, element);
    plot.current = chart;
    const observer = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(200, element.clientWidth), height }),
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // Rebuilt when the series' style, the colour scheme or the language changes; data alone goes through setData.
  }, [style, isDark, height, locale, timeZone, timeLabel]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  const summary = series
    .map((entry) => {
      const value = [...entry.values].reverse().find((candidate) => candidate !== null);
      return words("latest", {
        series: entry.label,
        value: value === undefined || value === null ? words("noData") : format(value),
      });
    })
    .join(", ");
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900">
      <figcaption className="mb-1 text-sm font-medium">{title}</figcaption>
      <div
        ref={holder}
        role="img"
        aria-label={words("label", { title, count: t.length, summary })}
        data-points={t.length}
        data-last={t.at(-1) ?? ""}
        className="atelier-chart w-full"
      />
    </figure>
  );
}

/** A small line of the last minute, without axes, for tables. */
export function Sparkline({
  label,
  values,
  t,
  color,
  max,
}: {
  label: string;
  t: number[];
  values: (number | null)[];
  color: [string, string];
  max?: number;
}) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const isDark = useDarkMode();
  const data = useMemo(() => [t.map((time) => time / 1000), values] as uPlot.AlignedData, [t, values]);
  const stroke = color[isDark ? 1 : 0];
  const latest = useRef({ data, max });
  useEffect(() => {
    latest.current = { data, max };
  });

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const chart = new uPlot(
      {
        width: 96,
        height: 24,
        pxAlign: false,
        cursor: { show: false },
        legend: { show: false },
        select: { show: false, left: 0, top: 0, width: 0, height: 0 },
        axes: [{ show: false }, { show: false }],
        scales: {
          x: { time: false },
          y: { range: (_plot, _min, high) => [0, Math.max(high || 0, latest.current.max ?? 0, 1e-9)] },
        },
        series: [{}, { stroke, width: 1.25, fill: `${stroke}22` }],
      },
      latest.current.data,
      element,
    );
    plot.current = chart;
    return () => {
      chart.destroy();
      plot.current = null;
    };
  }, [stroke]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return (
    <div
      ref={holder}
      role="img"
      aria-label={label}
      data-points={t.length}
      data-last={t.at(-1) ?? ""}
      className="h-6 w-24"
    />
  );
}
