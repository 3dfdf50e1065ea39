import { worded, type TValidationId, type TValidationParams } from "../../i18n/validation-words";

/**
 * A lossless model of an LXC config file: parse then serialise gives back the same bytes for any file (comments,
 * blank lines, order, spacing, CRLF, a missing final newline, repeated keys, lines LXC ignores). Edits rewrite only
 * the lines they change and put new keys after the last line of their group (`lxc.net.0`, `lxc.cgroup`, ...).
 *
 * Each line is read as liblxc 5 reads it (src/lxc/parse.c and confile.c, `parse_line`): lines end at `\n` or `\r`
 * and the file at a NUL byte; a line that is empty but for spaces, tabs, `\r` and `\f` is blank; leading spaces
 * and tabs (only those) are skipped; `#` starts a comment; a line that does not then start with `lxc.` is ignored
 * (whatever it holds); an `lxc.` line without `=` makes liblxc refuse the file; the key is what comes before the
 * first `=`, and the value what comes after, both without surrounding spaces and tabs; a value that starts and ends
 * with the same quote (`"` or `'`) loses that pair. `value` is that reading: what liblxc stores.
 *
 * Where liblxc could read a text otherwise than a `\n`-split model does (a `\r` inside a line, a NUL byte, other
 * control characters, the Unicode spaces JavaScript trims and splits on but liblxc does not), `divergences` says
 * so: such a text is refused on every write path (validation), and its lines are admin-only (privileges).
 *
 * Pure: no file access. What LXC accepts is decided elsewhere (the catalogue, then liblxc's own parser).
 */
export type TConfigLine =
  | { kind: "blank" | "comment"; raw: string }
  /** A line liblxc skips: it does not start with `lxc.` (legacy "//" comments, typos, `foo = bar`). */
  | { kind: "ignored"; raw: string }
  /** An `lxc.` line without "=": liblxc refuses the whole file. */
  | { kind: "invalid"; raw: string }
  | {
      kind: "entry";
      raw: string;
      indent: string;
      key: string;
      /** From the end of the key to the start of the value: spaces and tabs, "=", spaces and tabs. */
      separator: string;
      /** liblxc's value: without surrounding spaces and tabs, and without a pair of outer quotes. */
      value: string;
      /** The value as written (quotes kept), between the separator and the trailing spaces. */
      written: string;
      /** Trailing spaces, tabs and a final "\r". */
      trailing: string;
    };

export type TConfigEntry = { line: number; key: string; value: string };

const KEY = /^lxc\.[a-z0-9_]+(\.[a-z0-9_.-]+)*$/;
/** Control characters other than tab: a newline would start a line of its own in the file. */
export const hasControl = (value: string) =>
  [...value].some((character) => {
    const code = character.charCodeAt(0);
    return (code < 32 && code !== 9) || code === 127;
  });

/** What liblxc skips around keys and values (lxc_char_left_gc / lxc_char_right_gc): spaces and tabs only. */
const isBlankChar = (character: string | undefined) => character === " " || character === "\t";
const trimStartLxc = (text: string) => {
  let start = 0;
  while (isBlankChar(text[start])) start += 1;
  return text.slice(start);
};
const trimEndLxc = (text: string) => {
  let end = text.length;
  while (end > 0 && isBlankChar(text[end - 1])) end -= 1;
  return text.slice(0, end);
};

/** liblxc strips one pair of outer quotes from a value ("" and '' are the empty value). */
export const unquote = (written: string) => {
  const first = written[0];
  return (first === '"' || first === "'") && written.length > 1 && written.at(-1) === first
    ? written.slice(1, -1)
    : written;
};

/**
 * Characters that a JavaScript reading (String.trim, /\s/, /./) treats otherwise than liblxc does, or that liblxc
 * reads as the end of a line or file: every control character but tab, and the Unicode spaces.
 */
const UNICODE_SPACES = /[\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/u;
const isDivergent = (character: string) => {
  const code = character.codePointAt(0) ?? 0;
  return (code < 32 && code !== 9) || (code >= 0x7f && code <= 0x9f) || UNICODE_SPACES.test(character);
};
const firstDivergent = (text: string) => [...text].find(isDivergent);

const parseLine = (raw: string): TConfigLine => {
  // A final "\r" (a CRLF file) ends the line for liblxc too.
  const content = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
  if (/^[ \t\r\f]*$/.test(content)) return { kind: "blank", raw };
  const line = trimStartLxc(content);
  if (line.startsWith("#")) return { kind: "comment", raw };
  if (!line.startsWith("lxc.")) return { kind: "ignored", raw };
  const equals = line.indexOf("=");
  if (equals === -1) return { kind: "invalid", raw };
  const indent = content.slice(0, content.length - line.length);
  const key = trimEndLxc(line.slice(0, equals));
  const afterEquals = line.slice(equals + 1);
  const rest = trimStartLxc(afterEquals);
  const written = trimEndLxc(rest);
  const separator = `${line.slice(key.length, equals)}=${afterEquals.slice(0, afterEquals.length - rest.length)}`;
  const trailing = raw.slice(indent.length + key.length + separator.length + written.length);
  return { kind: "entry", raw, indent, key, separator, value: unquote(written), written, trailing };
};

/** A line liblxc may read otherwise: its English `message`, with its sentence's id and values. */
export type TDivergence = {
  line: number;
  message: string;
  id: TValidationId;
  params?: TValidationParams;
  key?: string;
};

/**
 * Where liblxc may read this text otherwise than the model (1-based lines): a NUL byte (liblxc stops reading
 * there), a "\r" inside a line (liblxc starts a new line there), or, outside comments, another control character
 * or a Unicode space (JavaScript trims and splits on them, liblxc does not).
 */
export const divergences = (text: string): TDivergence[] => {
  const problems: TDivergence[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = index + 1;
    const content = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (content.includes("\0")) problems.push({ line, ...worded("validation.lint.nulByte") });
    else if (content.includes("\r")) problems.push({ line, ...worded("validation.lint.carriageReturn") });
    else {
      const parsed = parseLine(raw);
      if (parsed.kind === "comment" || parsed.kind === "blank") return;
      const character = firstDivergent(content);
      if (character === undefined) return;
      const code = `U+${character.codePointAt(0)?.toString(16).toUpperCase().padStart(4, "0")}`;
      const isSpace = UNICODE_SPACES.test(character);
      problems.push({
        line,
        ...(parsed.kind === "entry" ? { key: parsed.key } : {}),
        ...(parsed.kind === "entry"
          ? worded(isSpace ? "validation.lint.valueUnicodeSpace" : "validation.lint.valueControlCode", {
              key: parsed.key,
              code,
            })
          : worded(isSpace ? "validation.lint.lineUnicodeSpace" : "validation.lint.lineControlCode", {
              code,
            })),
      });
    }
  });
  return problems;
};

/** The group a key belongs to: `lxc.net.0.link` -> `lxc.net.0`; `lxc.cgroup.memory.limit_in_bytes` -> `lxc.cgroup`. */
export const groupOf = (key: string) => {
  const parts = key.split(".");
  return parts[1] === "net" && /^\d+$/.test(parts[2] ?? "")
    ? parts.slice(0, 3).join(".")
    : parts.slice(0, 2).join(".");
};

/** A key or value the model refuses to write: its English message, with its sentence's id and values. */
export class ConfigValueError extends Error {
  readonly id: TValidationId;
  readonly params: TValidationParams | undefined;

  constructor(
    words: { message: string; id: TValidationId; params?: TValidationParams },
    readonly field: "key" | "value",
  ) {
    super(words.message);
    this.name = "ConfigValueError";
    this.id = words.id;
    this.params = words.params;
  }
}

/** Nothing reaches a config file that could break out of its line or name something that is not a key. */
export const checkKeyValue = (key: string, value: string) => {
  if (!KEY.test(key)) throw new ConfigValueError(worded("validation.configText.notKey", { key }), "key");
  if (hasControl(value))
    throw new ConfigValueError(worded("validation.configText.controlValue", { key }), "value");
  if (value !== value.trim())
    throw new ConfigValueError(worded("validation.configText.spacesValue", { key }), "value");
  if (unquote(value) !== value || firstDivergent(value) !== undefined)
    throw new ConfigValueError(worded("validation.configText.notAsWritten", { key }), "value");
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
        written: value,
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
        raw: `${line.indent}${key}${line.separator}${line.written}${line.trailing}`,
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
