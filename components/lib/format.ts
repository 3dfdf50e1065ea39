/** Units for usage figures, as people read them: binary sizes, rates per second, percentages. */
const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

export const formatBytes = (bytes: number | null | undefined) => {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return "–";
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${UNITS[unit]}`;
};

export const formatRate = (bytesPerSecond: number | null | undefined) =>
  bytesPerSecond === null || bytesPerSecond === undefined ? "–" : `${formatBytes(bytesPerSecond)}/s`;

export const formatPercent = (percent: number | null | undefined) =>
  percent === null || percent === undefined || !Number.isFinite(percent)
    ? "–"
    : `${percent < 10 ? percent.toFixed(1) : percent.toFixed(0)} %`;

export const formatCount = (count: number | null | undefined) =>
  count === null || count === undefined ? "–" : Math.round(count).toLocaleString("en");
