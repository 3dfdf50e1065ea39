"use client";

import { useEffect, useMemo, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useDarkMode } from "@/components/ui/use-dark-mode";

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

/** A tooltip that follows the cursor with the time and every series' value at that point. */
const tooltip = (formatValue: (value: number | null) => string): uPlot.Plugin => {
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
        const lines = [new Date(time * 1000).toLocaleString()];
        plot.series.slice(1).forEach((series, index) => {
          const value = plot.data[index + 1]?.[idx as number] ?? null;
          lines.push(`${typeof series.label === "string" ? series.label : ""}: ${formatValue(value)}`);
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
  // What the chart is built from (labels, colours, dashes): a new chart only when this changes, not on new data.
  const style = JSON.stringify(series.map(({ label, color, dash }) => ({ label, color, dash })));
  const data = useMemo(
    () => [t.map((time) => time / 1000), ...series.map((entry) => entry.values)] as uPlot.AlignedData,
    [t, series],
  );
  const latest = useRef({ data, format, minMax });
  useEffect(() => {
    latest.current = { data, format, minMax };
  });

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const axis = isDark ? "#cbd5e1" : "#475569";
    const grid = isDark ? "#1e293b" : "#e2e8f0";
    const formatValue = (value: number | null) => (value === null ? "–" : latest.current.format(value));
    const styles = JSON.parse(style) as Omit<TChartSeries, "values">[];
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height,
      series: [
        { label: "Time", value: (_plot, value) => (value ? new Date(value * 1000).toLocaleString() : "–") },
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
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
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
      plugins: [tooltip(formatValue)],
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
    // Rebuilt when the series' style or the colour scheme changes; data alone goes through setData.
  }, [style, isDark, height]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  const summary = series
    .map((entry) => {
      const value = [...entry.values].reverse().find((candidate) => candidate !== null);
      return `${entry.label} ${value === undefined || value === null ? "no data" : format(value)}`;
    })
    .join(", ");
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900">
      <figcaption className="mb-1 text-sm font-medium">{title}</figcaption>
      <div
        ref={holder}
        role="img"
        aria-label={`${title}: ${t.length} points; latest ${summary}`}
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
