import { z } from "zod";
import { ZContainerName } from "./container-name";
import { says } from "./issue-words";
import { LxcConfig } from "./lxc-config/model";

/**
 * Autostart as LXC reads it (liblxc 5.0, src/lxc/tools/lxc_autostart.c and confile.c), and Atelier's own additions
 * (a dependency per container, a stop timeout), which LXC does not know and the helper keeps in its state directory.
 * Pure: the helper computes the order from it, the CLI's boot routine too, and forms reuse its schemas.
 */

/** A TCP port of the dependency's IPv4 address that must accept a connection, or a ping of that address. */
export const ZProbe = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("tcp"), port: z.number().int().min(1).max(65535) }).strict(),
  z.object({ kind: z.literal("ping") }).strict(),
]);
export type TProbe = z.infer<typeof ZProbe>;

export const DEPENDENCY_TIMEOUT_MAX_SECONDS = 600;
/** "Start this container after `after` is running and answers `probe`, waiting at most `timeoutSeconds`." */
export const ZDependency = z
  .object({
    after: ZContainerName,
    probe: ZProbe,
    timeoutSeconds: z.number().int().min(1).max(DEPENDENCY_TIMEOUT_MAX_SECONDS),
  })
  .strict();
export type TDependency = z.infer<typeof ZDependency>;

/** How long a clean stop may take before the container is killed (lxc-stop -t). */
export const DEFAULT_STOP_TIMEOUT_SECONDS = 30;
export const ZStopTimeout = z.number().int().min(1).max(600);

/**
 * A group name as Atelier writes it: lxc.group splits its value on spaces and tabs, and lxc-autostart -g and
 * BOOTGROUPS split on commas, so neither may be in it.
 */
export const ZGroupName = z
  .string()
  .min(1)
  .max(64, says("validation.text.atMost", { max: 64 }))
  .regex(/^[A-Za-z0-9_.-]+$/, says("validation.autostart.groupName"));

/** What the helper keeps per container (the state directory's autostart.json). */
export const ZAutostartExtras = z
  .object({
    dependency: ZDependency.nullable().default(null),
    stopTimeoutSeconds: ZStopTimeout.default(DEFAULT_STOP_TIMEOUT_SECONDS),
  })
  .strict();
export type TAutostartExtras = z.infer<typeof ZAutostartExtras>;

/** A container's lxc.start.* and lxc.group as liblxc stores them; `loadable` false when liblxc refuses a value. */
export type TAutostartValues = {
  auto: boolean;
  order: number;
  delay: number;
  groups: string[];
  loadable: boolean;
};

const INT_MAX = 2 ** 31 - 1;
const UINT_MAX = 2 ** 32 - 1;
/**
 * C's strtol/strtoul with base 0, as lxc_safe_int/lxc_safe_uint call them: leading white space, a sign, "0x" hex,
 * a leading 0 octal, and nothing after the digits. Null when liblxc refuses the value.
 */
const cInteger = (value: string, unsigned: boolean): number | null => {
  const match = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(value);
  if (!match) return null;
  const [, sign, digits = ""] = match;
  if (unsigned && sign === "-") return null;
  const magnitude = /^0[xX]/.test(digits)
    ? Number.parseInt(digits.slice(2), 16)
    : digits.length > 1 && digits.startsWith("0")
      ? Number.parseInt(digits, 8)
      : Number(digits);
  const number = sign === "-" ? -magnitude : magnitude;
  if (unsigned) return number <= UINT_MAX ? number : null;
  return number <= INT_MAX && number >= -INT_MAX - 1 ? number : null;
};

/**
 * A config's autostart values, each line read as liblxc reads it (the last line wins, an empty value resets;
 * lxc.group adds each space- or tab-separated word, an empty one clears the list). lxc.start.auto above 1 or a
 * value that is not a number makes liblxc refuse the whole file: then `loadable` is false (lxc-autostart never sees
 * such a container). Lines of files the config includes (lxc.include) are not followed.
 */
export const autostartValues = (text: string): TAutostartValues => {
  const values: TAutostartValues = { auto: false, order: 0, delay: 0, groups: [], loadable: true };
  for (const { key, value } of LxcConfig.parse(text).entries()) {
    if (key === "lxc.group") {
      if (value === "") values.groups = [];
      else values.groups.push(...value.split(/[ \t]+/).filter(Boolean));
      continue;
    }
    if (key !== "lxc.start.auto" && key !== "lxc.start.delay" && key !== "lxc.start.order") continue;
    const number = value === "" ? 0 : cInteger(value, key !== "lxc.start.order");
    if (number === null || (key === "lxc.start.auto" && number > 1)) {
      values.loadable = false;
      continue;
    }
    if (key === "lxc.start.auto") values.auto = number === 1;
    else if (key === "lxc.start.delay") values.delay = number;
    else values.order = number;
  }
  return values;
};

/**
 * lxc-autostart's -g list (accumulate_list): split on commas, empty parts kept (the NULL group: containers without
 * lxc.group). A part is dropped as a duplicate when an earlier one is a prefix of it (liblxc compares with
 * strncmp over the earlier one's length): so "onboot,onboot2" keeps "onboot" only, and after an empty part every
 * later part is dropped (",onboot" is the NULL group only).
 */
export const parseGroupList = (input: string): string[] => {
  const list: string[] = [];
  for (const part of input.split(",")) {
    if (list.some((earlier) => part.startsWith(earlier))) continue;
    list.push(part);
  }
  return list;
};

/**
 * Whether a container with `groups` is in the pass of `group` (list_contains_entry): the NULL group ("") takes the
 * containers without groups; a named group takes those with a group that is a prefix of it (strncmp over the
 * container's group's length: a container in "on" is in the pass of "onboot" too, as with lxc-autostart).
 */
export const isInGroupPass = (group: string, groups: readonly string[]) =>
  groups.length === 0 ? group === "" : groups.some((own) => group.startsWith(own));

/** The boot groups Debian's lxc.service starts when /etc/default/lxc says nothing we can read. */
export const DEFAULT_BOOT_GROUPS = "onboot,";

/**
 * One variable of /etc/default/lxc (a shell file that lxc-containers sources), read only in its simple forms
 * `KEY="value"`, `KEY='value'` and `KEY=value` (characters of `allowed` only, an optional `export` and comment), the
 * last one winning. Null when no line sets it, or when one does otherwise (an expansion, a command): what the shell
 * would make of that is not ours to guess, so the caller falls back to lxc-containers' own default.
 */
const simpleShellValue = (text: string | null, key: string, allowed: string): string | null => {
  if (text === null) return null;
  const value = `[${allowed}]*`;
  const simple = new RegExp(
    `^[ \\t]*(?:export[ \\t]+)?${key}=(?:"(${value})"|'(${value})'|(${value}))[ \\t]*(?:#.*)?$`,
  );
  const assigns = new RegExp(`^[ \\t]*(export[ \\t]+)?${key}=`);
  let found: string | null = null;
  for (const line of text.split("\n")) {
    if (!assigns.test(line)) continue;
    const match = simple.exec(line);
    if (!match) return null;
    found = match[1] ?? match[2] ?? match[3] ?? "";
  }
  return found;
};

/** BOOTGROUPS of /etc/default/lxc, else the default ("onboot,", as the file's own comment documents it). */
export const parseBootGroups = (text: string | null): string =>
  simpleShellValue(text, "BOOTGROUPS", "A-Za-z0-9_.,-") ?? DEFAULT_BOOT_GROUPS;

/**
 * Whether /etc/default/lxc lets containers start at boot: lxc-containers (what lxc.service runs, and what Atelier's
 * drop-in replaces) starts nothing unless LXC_AUTO is "true"; no readable line means its default, "true".
 */
export const parseLxcAuto = (text: string | null): boolean =>
  (simpleShellValue(text, "LXC_AUTO", "A-Za-z") ?? "true") === "true";

/** What lxc-autostart is asked: the boot's groups (a -g list), one -g list, or every autostart container (-a). */
export type TAutostartSelection = { groups: string } | { all: true };

const compareNames = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * lxc-autostart's order (cmporder, then the group passes): lxc.start.order ascending, then the name; each -g group
 * in turn takes, in that order, the containers with lxc.start.auto = 1 that are in it and not taken by an earlier
 * pass. liblxc compares names with strncmp over the first name's length, which calls "web" and "web2" equal; glibc's
 * qsort (a merge sort) then keeps them in lxc-ls's sorted order, i.e. byte order: which is what this uses, for every
 * pair (a consistent order). Containers liblxc cannot load are left out, as lxc-ls leaves them out.
 */
export const autostartOrder = <T extends { name: string; values: TAutostartValues }>(
  containers: readonly T[],
  selection: TAutostartSelection,
): T[] => {
  const sorted = containers
    .filter((container) => container.values.loadable && container.values.auto)
    .sort((a, b) => a.values.order - b.values.order || compareNames(a.name, b.name));
  if ("all" in selection) return sorted;
  const taken = new Set<string>();
  const ordered: T[] = [];
  for (const group of parseGroupList(selection.groups)) {
    for (const container of sorted) {
      if (taken.has(container.name) || !isInGroupPass(group, container.values.groups)) continue;
      taken.add(container.name);
      ordered.push(container);
    }
  }
  return ordered;
};

/** Which groups a -g list names, for the board: "" stands for the containers without a group. */
export const bootGroupsOf = (list: string) => parseGroupList(list);

/** A dependency that cannot be kept: the container it names is missing, or it closes a circle. */
export type TDependencyProblem =
  | { kind: "self"; name: string }
  | { kind: "missing"; name: string; after: string }
  | { kind: "cycle"; name: string; cycle: string[] };

/**
 * Checks a set of dependencies (name → the container it starts after): every `after` exists and is not the
 * container itself, and following them never comes back to where it started. Each container has one dependency at
 * most, so a circle is found by walking from each container.
 */
export const dependencyProblems = (
  dependencies: ReadonlyMap<string, string>,
  existing: ReadonlySet<string>,
): TDependencyProblem[] => {
  const problems: TDependencyProblem[] = [];
  for (const [name, after] of dependencies) {
    if (after === name) {
      problems.push({ kind: "self", name });
      continue;
    }
    if (!existing.has(after)) problems.push({ kind: "missing", name, after });
    const path = [name];
    let next = dependencies.get(name);
    while (next !== undefined && !path.includes(next)) {
      path.push(next);
      next = dependencies.get(next);
    }
    if (next === name) problems.push({ kind: "cycle", name, cycle: [...path, name] });
  }
  return problems;
};

/**
 * The order a run starts containers in: the autostart order, except that a container whose dependency is in the
 * same run and comes later waits for it (it is moved right after it). Dependencies were refused when they closed a
 * circle; should one still be found (a hand-edited state file), its containers keep their places.
 */
export const scheduleWithDependencies = (
  names: readonly string[],
  dependencyOf: (name: string) => string | null,
): string[] => {
  const inRun = new Set(names);
  const placed = new Set<string>();
  const schedule: string[] = [];
  const place = (name: string, visiting: Set<string>) => {
    if (placed.has(name)) return;
    const after = dependencyOf(name);
    if (after !== null && inRun.has(after) && !placed.has(after) && !visiting.has(after)) {
      visiting.add(name);
      place(after, visiting);
    }
    if (placed.has(name)) return;
    placed.add(name);
    schedule.push(name);
  };
  for (const name of names) place(name, new Set());
  return schedule;
};
