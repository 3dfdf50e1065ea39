/**
 * A lossless model of an LXC config file: parse then serialise gives back the same bytes for any file (comments,
 * blank lines, order, spacing, CRLF, a missing final newline, repeated keys, lines LXC ignores). Edits rewrite only
 * the lines they change and put new keys after the last line of their group (`lxc.net.0`, `lxc.cgroup`, ...).
 *
 * Pure: no file access. What LXC accepts is decided elsewhere (the catalogue, then liblxc's own parser).
 */
export type TConfigLine =
  | { kind: "blank" | "comment"; raw: string }
  /** A line without "=": LXC skips it silently (legacy "//" comments, typos). */
  | { kind: "ignored"; raw: string }
  | {
      kind: "entry";
      raw: string;
      indent: string;
      key: string;
      separator: string;
      value: string;
      trailing: string;
    };

export type TConfigEntry = { line: number; key: string; value: string };

const ENTRY = /^([ \t]*)([^=\s#][^=]*?)([ \t]*=[ \t]*)(.*?)([ \t\r]*)$/;
const KEY = /^lxc\.[a-z0-9_]+(\.[a-z0-9_.-]+)*$/;
/** Control characters other than tab: a newline would start a line of its own in the file. */
export const hasControl = (value: string) =>
  [...value].some((character) => {
    const code = character.charCodeAt(0);
    return (code < 32 && code !== 9) || code === 127;
  });

const parseLine = (raw: string): TConfigLine => {
  const content = raw.replace(/\r$/, "");
  if (content.trim() === "") return { kind: "blank", raw };
  if (content.trimStart().startsWith("#")) return { kind: "comment", raw };
  const match = ENTRY.exec(raw);
  if (!match) return { kind: "ignored", raw };
  const [, indent = "", key = "", separator = "", value = "", trailing = ""] = match;
  return { kind: "entry", raw, indent, key: key.trim(), separator, value, trailing };
};

/** The group a key belongs to: `lxc.net.0.link` -> `lxc.net.0`; `lxc.cgroup.memory.limit_in_bytes` -> `lxc.cgroup`. */
export const groupOf = (key: string) => {
  const parts = key.split(".");
  return parts[1] === "net" && /^\d+$/.test(parts[2] ?? "")
    ? parts.slice(0, 3).join(".")
    : parts.slice(0, 2).join(".");
};

export class ConfigValueError extends Error {
  constructor(
    message: string,
    readonly field: "key" | "value",
  ) {
    super(message);
    this.name = "ConfigValueError";
  }
}

/** Nothing reaches a config file that could break out of its line or name something that is not a key. */
export const checkKeyValue = (key: string, value: string) => {
  if (!KEY.test(key))
    throw new ConfigValueError(`"${key}" is not an LXC config key (lxc.section.name, lowercase)`, "key");
  if (hasControl(value))
    throw new ConfigValueError(
      `The value of ${key} contains a newline or another control character`,
      "value",
    );
  if (value !== value.trim())
    throw new ConfigValueError(`The value of ${key} starts or ends with spaces`, "value");
};

export class LxcConfig {
  private constructor(private readonly lines: TConfigLine[]) {}

  static parse(text: string): LxcConfig {
    return new LxcConfig(text.split("\n").map(parseLine));
  }

  toString(): string {
    return this.lines.map((line) => line.raw).join("\n");
  }

  /** Every line, as parsed (for validation messages tied to line numbers, 1-based). */
  get parsedLines(): readonly TConfigLine[] {
    return this.lines;
  }

  entries(): TConfigEntry[] {
    return this.lines.flatMap((line, index) =>
      line.kind === "entry" ? [{ line: index + 1, key: line.key, value: line.value }] : [],
    );
  }

  /** The effective value of a key: LXC lets the last assignment win. */
  get(key: string): string | undefined {
    return this.getAll(key).at(-1);
  }

  getAll(key: string): string[] {
    return this.entries()
      .filter((entry) => entry.key === key)
      .map((entry) => entry.value);
  }

  /** Sets a single-valued key: rewrites its last line in place (keeping its spacing), or adds it to its group. */
  set(key: string, value: string): this {
    checkKeyValue(key, value);
    const index = this.lastIndex((line) => line.key === key);
    if (index === -1) return this.add(key, value);
    const line = this.lines[index];
    if (line?.kind === "entry") {
      this.lines[index] = {
        ...line,
        value,
        raw: `${line.indent}${line.key}${line.separator}${value}${line.trailing}`,
      };
    }
    return this;
  }

  /** Adds a line (for repeatable keys such as lxc.mount.entry), after the last line of the same group. */
  add(key: string, value: string): this {
    checkKeyValue(key, value);
    const group = groupOf(key);
    const raw = `${key} = ${value}`;
    const index = this.lastIndex((line) => groupOf(line.key) === group);
    if (index !== -1) {
      this.lines.splice(index + 1, 0, parseLine(raw));
      return this;
    }
    if (this.lines.length === 1 && this.lines[0]?.raw === "") {
      // An empty file becomes one line and a final newline.
      this.lines.splice(0, 1, parseLine(raw), parseLine(""));
      return this;
    }
    // At the end, before the final newline if the file has one.
    const hasFinalNewline = this.lines.at(-1)?.raw === "";
    this.lines.splice(hasFinalNewline ? this.lines.length - 1 : this.lines.length, 0, parseLine(raw));
    return this;
  }

  /**
   * Swaps two network interfaces' indexes (lxc.net.A.* becomes lxc.net.B.* and back), each line keeping its place
   * and spacing: LXC creates interfaces in index order, so this reorders them.
   */
  swapInterfaces(a: number, b: number): this {
    const from = new RegExp(`^lxc\\.net\\.(${a}|${b})\\.`);
    this.lines.forEach((line, index) => {
      if (line.kind !== "entry") return;
      const match = from.exec(line.key);
      if (!match) return;
      const key = line.key.replace(from, `lxc.net.${Number(match[1]) === a ? b : a}.`);
      this.lines[index] = {
        ...line,
        key,
        raw: `${line.indent}${key}${line.separator}${line.value}${line.trailing}`,
      };
    });
    return this;
  }

  /** Removes the lines of a key (only those with `value`, when given). */
  remove(key: string, value?: string): this {
    for (let index = this.lines.length - 1; index >= 0; index -= 1) {
      const line = this.lines[index];
      if (line?.kind === "entry" && line.key === key && (value === undefined || line.value === value))
        this.lines.splice(index, 1);
    }
    return this;
  }

  private lastIndex(match: (line: Extract<TConfigLine, { kind: "entry" }>) => boolean) {
    for (let index = this.lines.length - 1; index >= 0; index -= 1) {
      const line = this.lines[index];
      if (line?.kind === "entry" && match(line)) return index;
    }
    return -1;
  }
}
