import { worded, wordsOf, type TWorded } from "../../i18n/validation-words";
import { KEYS, LEGACY_KEYS, lookupKey, type TKeyInfo } from "./catalogue";
import { divergences, hasControl, LxcConfig } from "./model";

/**
 * Atelier's own validation of a config, line by line (before liblxc's parser has its say): keys against the
 * catalogue (legacy keys with their modern name, unknown keys with "did you mean"), values against their type,
 * control characters, keys set twice that take one value. Messages are tied to 1-based line numbers, each in English
 * (`message`) with its sentence's id and values in the `validation` catalogue, which the pages word it from.
 */
export type TConfigProblem = {
  line: number;
  severity: "error" | "warning";
  message: string;
  /**
   * The message's sentence in the `validation` catalogue and its values (a problem from elsewhere, such as the
   * helper's host paths, may have none; one from the wire names an id as a string).
   */
  id?: string;
  params?: Readonly<Record<string, unknown>>;
  key?: string;
  /** For a legacy key: the line it becomes. */
  replacement?: string;
};

const SIGNALS =
  /^(\d+|SIG(HUP|INT|QUIT|ILL|TRAP|ABRT|BUS|FPE|KILL|USR1|SEGV|USR2|PIPE|ALRM|TERM|STKFLT|CHLD|CONT|STOP|TSTP|TTIN|TTOU|URG|XCPU|XFSZ|VTALRM|PROF|WINCH|IO|PWR|SYS)|SIGRTMIN(\+\d+)?|SIGRTMAX(-\d+)?)$/;
const SIZE = /^(-1|\d+(\.\d+)?\s*([KMGTP]i?)?B?)$/i;
const MAC = /^([0-9a-fx]{2}:){5}[0-9a-fx]{2}$/i;
const DEVICE_RULE = /^(a|[abc] (\d+|\*):(\d+|\*)( [rwm]{1,3})?)$/;
/** liblxc 5 takes u and g maps only (parse_idmaps). */
const IDMAP = /^[ug] (0|[1-9]\d*) (0|[1-9]\d*) (0|[1-9]\d*)$/;
const CPU_LIST = /^\d+(-\d+)?(,\d+(-\d+)?)*$/;
const INTERFACE_KEYS = new Set(["link", "name", "veth.pair"]);

/**
 * IP address families without node:net, so that the browser's editors run the same checks: IPv4 by its four
 * octets, IPv6 by the URL parser (which every JavaScript runtime has).
 */
/** A Linux interface name: 1-15 letters, digits, '_', '.', '-', not starting with '-' or '.'. */
export const isInterfaceName = (value: string) => /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/.test(value);

export const isIP = (value: string): 0 | 4 | 6 => {
  if (/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(value)) return 4;
  if (!value.includes(":") || !/^[0-9a-fA-F:.]+$/.test(value)) return 0;
  try {
    new URL(`http://[${value}]/`);
    return 6;
  } catch {
    return 0;
  }
};

/** An address with an optional prefix (and, for IPv4, an optional broadcast address after a space). */
export const isCidr = (value: string, family: 4 | 6) => {
  // "10.0.3.2/24" or "10.0.3.2/24 10.0.3.255" (IPv4 with its broadcast address)
  const [address = "", broadcast] = value.split(/\s+/);
  const [ip = "", prefix, ...rest] = address.split("/");
  if (rest.length > 0 || isIP(ip) !== family) return false;
  if (prefix !== undefined && !(/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)))
    return false;
  return broadcast === undefined || (family === 4 && isIP(broadcast) === 4);
};

/** Why a value does not fit its key's type (its sentence), or null when it does. */
export const valueProblem = (key: string, info: TKeyInfo, value: string): TWorded | null => {
  const allowed = info.values ?? [];
  // An empty value clears a key (back to LXC's default; for lists, the values set so far).
  if (value === "" || allowed.includes(value)) return null;
  // A cgroup file's value is also an argument of lxc-cgroup (as root) when it applies live. No cgroup file takes a
  // value that starts with '-' other than a negative number (-1 for "no limit" in cgroup v1's memory and CPU quota
  // files, -20..19 in v2's cpu.weight.nice).
  if (info.apply === "live" && /^lxc\.cgroup2?\./.test(key) && value.startsWith("-") && !/^-\d+$/.test(value))
    return worded("validation.values.dash");
  switch (info.type) {
    // liblxc reads numbers as C does: a leading 0 means octal (010 is 8, 09 is refused).
    case "uint":
      if (/^-?0\d/.test(value)) return worded("validation.values.octal");
      return /^\d+$/.test(value) ? null : worded("validation.values.uint");
    case "int":
      if (/^-?0\d/.test(value)) return worded("validation.values.octal");
      return /^-?\d+$/.test(value) ? null : worded("validation.values.int");
    case "bool":
      return value === "0" || value === "1" ? null : worded("validation.values.bool");
    case "enum":
      return worded("validation.values.oneOf", { values: allowed.filter(Boolean).join(", ") });
    case "size":
      return SIZE.test(value) ? null : worded("validation.values.size");
    case "ipv4-cidr":
      return isCidr(value, 4) ? null : worded("validation.values.ipv4Cidr");
    case "ipv6-cidr":
      return isCidr(value, 6) ? null : worded("validation.values.ipv6Cidr");
    case "ipv4":
      return isIP(value) === 4 ? null : worded("validation.values.ipv4");
    case "ipv6":
      return isIP(value) === 6 ? null : worded("validation.values.ipv6");
    case "mac":
      return MAC.test(value) ? null : worded("validation.values.mac");
    case "cpuset":
      return CPU_LIST.test(value) ? null : worded("validation.values.cpuset");
    case "device-rule":
      return DEVICE_RULE.test(value) ? null : worded("validation.values.deviceRule");
    case "idmap":
      return IDMAP.test(value) ? null : worded("validation.values.idmap");
    case "signal":
      return SIGNALS.test(value) ? null : worded("validation.values.signal");
    case "name": {
      if (value === "" || /\s|\//.test(value)) return worded("validation.values.name");
      const field = key.replace(/^lxc\.net\.\d+\./, "");
      if (key.startsWith("lxc.net.") && INTERFACE_KEYS.has(field) && value.length > 15)
        return worded("validation.values.interfaceName");
      // The kernel's host names are 64 bytes at most (liblxc refuses 65 and more).
      if (key === "lxc.uts.name" && new TextEncoder().encode(value).length > 64)
        return worded("validation.values.hostName");
      return value.length > 255 ? worded("validation.values.tooLong") : null;
    }
    case "relative-path":
      return value.startsWith("/") ? worded("validation.values.relativePath") : null;
    case "path":
    case "string":
      return null;
  }
};

/** Why a value does not fit its key's type, in English, or null when it does. */
export const checkValue = (key: string, info: TKeyInfo, value: string): string | null =>
  valueProblem(key, info, value)?.message ?? null;

const distance = (a: string, b: string) => {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j] ?? 0;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
};

/** The catalogue key closest to a mistyped one (with the interface index it used), if any is close enough. */
export const suggestKey = (key: string): string | undefined => {
  const index = /^lxc\.net\.(\d+)\./.exec(key)?.[1] ?? "0";
  const candidates = KEYS.filter((info) => !info.key.endsWith("*")).map((info) =>
    info.key.replace(/\.N\./, `.${index}.`),
  );
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 6)) ? best : undefined;
};

/** The modern form of a legacy line, as lxc-update-config writes it; null when the key is not legacy. */
export const modernKey = (key: string, networkIndex: number): string | null => {
  const direct = LEGACY_KEYS[key];
  if (direct) return direct;
  if (key.startsWith("lxc.limit.")) return `lxc.prlimit.${key.slice("lxc.limit.".length)}`;
  if (key === "lxc.network.type") return `lxc.net.${networkIndex}.type`;
  const numbered = /^lxc\.network\.(\d+)\.(.+)$/.exec(key);
  const rest = numbered
    ? numbered[2]
    : key.startsWith("lxc.network.")
      ? key.slice("lxc.network.".length)
      : null;
  if (rest === null || rest === undefined) return null;
  const index = numbered ? Number(numbered[1]) : networkIndex;
  const field = rest === "ipv4" || rest === "ipv6" ? `${rest}.address` : rest;
  return `lxc.net.${index}.${field}`;
};

/**
 * The seed tutorial's boot script started the containers whose config said `lxc.onboot = yes`; liblxc knows no such
 * key (it refuses the config) and starts a container with the host from `lxc.start.auto`. Its value as
 * lxc.start.auto takes it: 1 for yes (and the other ways of saying it), 0 for anything else, which the script did not
 * start either.
 */
export const onbootValue = (value: string): "0" | "1" =>
  ["yes", "y", "true", "on", "1"].includes(value.trim().toLowerCase()) ? "1" : "0";

export const validateConfig = (text: string): TConfigProblem[] => {
  const config = LxcConfig.parse(text);
  const problems: TConfigProblem[] = [];
  const seen = new Map<string, number>();
  // Old-style network sections: each lxc.network.type starts the next interface.
  let legacyNetwork = -1;
  // Where liblxc would read the text otherwise than this model: refused, whatever the line holds.
  const divergent = new Set<number>();
  for (const { line, key, ...words } of divergences(text)) {
    divergent.add(line);
    problems.push({ line, ...(key ? { key } : {}), severity: "error", ...words });
  }
  config.parsedLines.forEach((line, position) => {
    const number = position + 1;
    if (divergent.has(number)) return;
    if (line.kind === "invalid") {
      problems.push({ line: number, severity: "error", ...worded("validation.lint.noEquals") });
      return;
    }
    if (line.kind === "ignored" && line.raw.includes("=")) {
      problems.push({ line: number, severity: "error", ...worded("validation.lint.notAKey") });
      return;
    }
    if (line.kind === "ignored") {
      const slashes = line.raw.trim().startsWith("//");
      problems.push({
        line: number,
        severity: "warning",
        ...worded(slashes ? "validation.lint.ignoredSlashes" : "validation.lint.ignored"),
      });
      return;
    }
    if (line.kind !== "entry") return;
    const { key, value } = line;
    if (hasControl(value)) {
      problems.push({
        line: number,
        key,
        severity: "error",
        ...worded("validation.lint.valueControl", { key }),
      });
      return;
    }
    if (key === "lxc.network.type") legacyNetwork += 1;
    const modern = modernKey(key, Math.max(0, legacyNetwork));
    if (modern) {
      problems.push({
        line: number,
        key,
        severity: "error",
        ...worded("validation.lint.legacy", { key, modern }),
        replacement: `${modern} = ${value}`,
      });
      return;
    }
    if (key === "lxc.onboot") {
      const auto = onbootValue(value);
      problems.push({
        line: number,
        key,
        severity: "error",
        ...worded("validation.lint.onboot", { auto }),
        replacement: `lxc.start.auto = ${auto}`,
      });
      return;
    }
    if (key === "lxc.rootfs.backend") {
      problems.push({
        line: number,
        key,
        severity: "error",
        ...worded("validation.lint.rootfsBackend"),
        replacement: "",
      });
      return;
    }
    const info = lookupKey(key);
    if (!info) {
      const suggestion = suggestKey(key);
      problems.push({
        line: number,
        key,
        severity: "error",
        ...(suggestion
          ? worded("validation.lint.unknownKeySuggestion", { key, suggestion })
          : worded("validation.lint.unknownKey", { key })),
      });
      return;
    }
    const problem = valueProblem(key, info, value.trim());
    if (problem)
      problems.push({
        line: number,
        key,
        severity: "error",
        ...worded("validation.lint.badValue", { key, problem: wordsOf(problem), value }),
      });
    if (!info.repeatable) {
      const earlier = seen.get(key);
      if (earlier !== undefined && value.trim() !== "") {
        problems.push({
          line: number,
          key,
          severity: "warning",
          ...worded("validation.lint.setTwice", { key, line: String(earlier) }),
        });
      }
      seen.set(key, number);
    }
  });
  // An interface needs a type.
  // liblxc reads the index as a number: lxc.net.00.* and lxc.net.0.* are one interface.
  const indexOf = (key: string) => {
    const digits = /^lxc\.net\.(\d+)\./.exec(key)?.[1];
    return digits === undefined ? undefined : Number(digits);
  };
  const indexes = new Set(
    config
      .entries()
      .map((entry) => indexOf(entry.key))
      .filter((index): index is number => index !== undefined),
  );
  for (const index of indexes) {
    const lines = config.entries().filter((entry) => indexOf(entry.key) === index);
    if (!lines.some((entry) => /^lxc\.net\.\d+\.type$/.test(entry.key))) {
      const first = lines[0];
      problems.push({
        line: first?.line ?? 1,
        severity: "error",
        ...worded("validation.lint.noType", { index: String(index) }),
      });
    }
  }
  // A hook runs as root on the host with the container's environment (PATH, LD_PRELOAD): say so to whoever adds one.
  const hook = config.entries().find((entry) => entry.key.startsWith("lxc.hook."));
  if (hook) {
    for (const entry of config.entries().filter((e) => e.key === "lxc.environment" && e.value !== ""))
      problems.push({
        line: entry.line,
        key: entry.key,
        severity: "warning",
        ...worded("validation.lint.hookEnvironment", { line: String(hook.line) }),
      });
  }
  return problems.sort((a, b) => a.line - b.line);
};

/**
 * Puts each line's replacement in its place (an empty replacement drops the line), keeping the line's indentation
 * and CRLF ending and every other line as it is.
 */
const replaceLines = (text: string, replacements: ReadonlyMap<number, string>): string =>
  text
    .split("\n")
    .flatMap((line, index) => {
      const replacement = replacements.get(index + 1);
      if (replacement === undefined) return [line];
      if (replacement === "") return [];
      const indent = /^[ \t]*/.exec(line)?.[0] ?? "";
      return [`${indent}${replacement}${line.endsWith("\r") ? "\r" : ""}`];
    })
    .join("\n");

/** Rewrites every legacy line to its modern form (keeping the others as they are), as the editor's one-click fix. */
export const migrateLegacy = (text: string): string =>
  replaceLines(
    text,
    new Map(
      validateConfig(text)
        .filter((problem) => problem.replacement !== undefined)
        .map((problem) => [problem.line, problem.replacement as string]),
    ),
  );

/** One problem's fix: its line replaced (a problem without a replacement leaves the text as it is). */
export const fixProblem = (text: string, problem: Pick<TConfigProblem, "line" | "replacement">): string =>
  problem.replacement === undefined
    ? text
    : replaceLines(text, new Map([[problem.line, problem.replacement]]));
