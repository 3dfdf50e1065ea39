import type { TLocale } from "@/server/i18n/locales";

/**
 * Figures as people read them in their language: binary sizes (French writes octets: Kio, Mio), rates per second,
 * percentages, counts. Components take these bound to the page's language from useFormat()
 * (components/i18n/use-format.ts); the default is English.
 */
const UNITS: Record<TLocale, string[]> = {
  en: ["B", "KiB", "MiB", "GiB", "TiB"],
  fr: ["o", "Kio", "Mio", "Gio", "Tio"],
};
const PER_SECOND: Record<TLocale, string> = { en: "/s", fr: "/s" };
// French puts a no-break space between a number and its unit or %, so the two never part at a line's end.
const SPACE: Record<TLocale, string> = { en: " ", fr: "\u00a0" };

const decimals = (locale: TLocale, digits: number) =>
  new Intl.NumberFormat(locale, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    useGrouping: false,
  });

export const formatBytes = (bytes: number | null | undefined, locale: TLocale = "en") => {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return "–";
  const units = UNITS[locale];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${decimals(locale, unit === 0 ? 0 : 1).format(value)}${SPACE[locale]}${units[unit]}`;
};

export const formatRate = (bytesPerSecond: number | null | undefined, locale: TLocale = "en") =>
  bytesPerSecond === null || bytesPerSecond === undefined
    ? "–"
    : `${formatBytes(bytesPerSecond, locale)}${PER_SECOND[locale]}`;

export const formatPercent = (percent: number | null | undefined, locale: TLocale = "en") =>
  percent === null || percent === undefined || !Number.isFinite(percent)
    ? "–"
    : `${decimals(locale, percent < 10 ? 1 : 0).format(percent)}${SPACE[locale]}%`;

export const formatCount = (count: number | null | undefined, locale: TLocale = "en") =>
  count === null || count === undefined ? "–" : Math.round(count).toLocaleString(locale);
