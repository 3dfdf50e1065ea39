"use client";

import { useTranslations } from "next-intl";
import type { THistoryRange } from "@/server/trpc/routers/metrics/metrics.types";

// Each range's words are metrics.usage.ranges.<range>.
export const RANGES: THistoryRange[] = ["1h", "24h", "7d", "30d", "1y"];

/** The time range of usage charts (a container's, the host's): one pressed button of a group. */
export function RangePicker({
  value,
  onChange,
}: {
  value: THistoryRange;
  onChange: (range: THistoryRange) => void;
}) {
  const t = useTranslations("metrics.usage");
  return (
    <div role="group" aria-label={t("range")} className="flex gap-1">
      {RANGES.map((range) => (
        <button
          key={range}
          type="button"
          aria-pressed={value === range}
          onClick={() => onChange(range)}
          className={`rounded-md px-2.5 py-1 text-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 ${value === range ? "bg-slate-900 text-white dark:bg-white dark:text-slate-900" : "text-slate-700 hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800"}`}
        >
          {t(`ranges.${range}`)}
        </button>
      ))}
    </div>
  );
}
