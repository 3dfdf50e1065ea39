"use client";

import { useFormatter, useLocale } from "next-intl";
import { useMemo } from "react";
import { formatBytes, formatCount, formatPercent, formatRate } from "@/components/lib/format";

/**
 * The page language's ways of writing figures and times: `const f = useFormat(); f.bytes(n)`, `f.dateTime(d)`.
 * Dates and times in the host's time zone (components/i18n/request.ts), as the language writes them
 * ("6 déc. 2026, 13:18", "Dec 6, 2026, 1:18 PM").
 */
export const useFormat = () => {
  const locale = useLocale();
  const format = useFormatter();
  return useMemo(
    () => ({
      locale,
      bytes: (value: number | null | undefined) => formatBytes(value, locale),
      rate: (value: number | null | undefined) => formatRate(value, locale),
      percent: (value: number | null | undefined) => formatPercent(value, locale),
      count: (value: number | null | undefined) => formatCount(value, locale),
      number: (value: number) => format.number(value),
      /** A date with its time, to the minute. */
      dateTime: (value: Date | number) => format.dateTime(value, { dateStyle: "medium", timeStyle: "short" }),
      /** A date with its time, to the second (logs, audit). */
      dateTimeSeconds: (value: Date | number) =>
        format.dateTime(value, { dateStyle: "medium", timeStyle: "medium" }),
      date: (value: Date | number) => format.dateTime(value, { dateStyle: "medium" }),
      time: (value: Date | number) => format.dateTime(value, { timeStyle: "medium" }),
      /** "3 minutes ago", "dans 2 heures". */
      relative: (value: Date | number, now?: Date | number) =>
        format.relativeTime(value, now === undefined ? undefined : { now }),
      /** "a, b and c" / "a, b et c". */
      list: (values: string[]) => format.list(values),
    }),
    [locale, format],
  );
};

export type TFormat = ReturnType<typeof useFormat>;
