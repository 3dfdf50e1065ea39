/**
 * What the API commands print: aligned columns for people, JSON for scripts (--json: the API's answer as it came,
 * dates as ISO strings). Pure: unit-tested beside it.
 */

/**
 * Text from the server as the terminal is given it: control characters (C0 but tab and newline, DEL, C1) become
 * U+FFFD, so no answer, whoever wrote it (a panel elsewhere, a web tier that is not what it was), can move the
 * cursor, retitle the window or make the terminal answer with keystrokes.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
export const printable = (text: string) => text.replace(CONTROL, "\ufffd");
/** A table cell or a field's value: one line, so none may forge a row of its own (a newline, a tab too). */
// eslint-disable-next-line no-control-regex
const cellOf = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "\ufffd");

/** Rows under headers, each column as wide as its widest cell, two spaces apart, no trailing blanks. */
export const formatTable = (headers: string[], rows: string[][]): string => {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => cellOf(row[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map((row) => line(row.map(cellOf)))].join("\n") + "\n";
};

/** `key: value` lines, the keys padded to one width. */
export const formatFields = (fields: [string, string][]): string => {
  const width = Math.max(0, ...fields.map(([key]) => key.length + 1));
  return (
    fields.map(([key, value]) => `${`${key}:`.padEnd(width)}  ${cellOf(value)}`.trimEnd()).join("\n") + "\n"
  );
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
