/**
 * What the API commands print: aligned columns for people, JSON for scripts (--json: the API's answer as it came,
 * dates as ISO strings). Pure: unit-tested beside it.
 */

/** Rows under headers, each column as wide as its widest cell, two spaces apart, no trailing blanks. */
export const formatTable = (headers: string[], rows: string[][]): string => {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n") + "\n";
};

/** `key: value` lines, the keys padded to one width. */
export const formatFields = (fields: [string, string][]): string => {
  const width = Math.max(0, ...fields.map(([key]) => key.length + 1));
  return fields.map(([key, value]) => `${`${key}:`.padEnd(width)}  ${value}`.trimEnd()).join("\n") + "\n";
};

export const formatJson = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** A list cell: comma-separated, "-" when empty. */
export const listCell = (values: readonly string[]) => (values.length > 0 ? values.join(",") : "-");

export const formatBytes = (bytes: number | null) => {
  if (bytes === null) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
};
