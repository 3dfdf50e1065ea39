import { lookupKey } from "@/server/schemas/lxc-config/catalogue";
import { LxcConfig } from "@/server/schemas/lxc-config/model";
import type { TWorded } from "@/server/i18n/validation-words";
import { valueProblem } from "@/server/schemas/lxc-config/validate";

/**
 * The settings form's draft is the config's text itself, edited through the lossless model: each change below
 * rewrites only its own lines (or adds one to its group), so the raw editor and the form never lose each other's
 * edits. The fields only pick which change to make.
 */
export type TChange = (config: LxcConfig) => void;

/** The text after a change: parsed afresh each time, so a change never sees another field's stale copy. */
export const applyChange = (text: string, change: TChange) => {
  const config = LxcConfig.parse(text);
  change(config);
  return config.toString();
};

export const lineOf = (key: string, value: string) => `${key} = ${value}`;

/** A single-valued key: empty removes the line (back to LXC's default) rather than writing `key = `. */
export const setKey =
  (key: string, value: string): TChange =>
  (config) => {
    if (value === "") config.remove(key);
    else config.set(key, value);
  };

/** What a field may hold: one line, so no line breaks. */
export const cleanTyped = (typed: string) => typed.replace(/[\r\n]/g, "");

/** A typed value is written at once unless it has a space at either end, which a config line cannot keep. */
export const isWritable = (typed: string) => typed === typed.trim();

/** Why a key's value is refused, from the catalogue (null: fine, empty, or a key it does not know). */
export const problemOf = (key: string, value: string): TWorded | null => {
  const info = lookupKey(key);
  return info && value !== "" ? valueProblem(key, info, value) : null;
};

/** The keys an operator may never add whatever their value (cap.keep, fstab…). */
const ALWAYS_LOCKED = ["lxc.cap.keep", "lxc.mount.fstab", "lxc.apparmor.raw"];

/**
 * The admin lock a single-valued field shows. An empty field is asked about with a stand-in value ("x"); its lock
 * is shown only for a key no value of which an operator may add, so an empty field of any other key stays quiet.
 */
export const lockProbe = (value: string) => (value === "" ? "x" : value);
export const shownLock = <TReason>(key: string, value: string, reason: TReason | null) =>
  value === "" && !(reason !== null && ALWAYS_LOCKED.includes(key)) ? null : reason;

/** Adds a value to a repeatable key's group; null when there is nothing to add (blank, or already there). */
export const addValue = (key: string, values: readonly string[], value: string): TChange | null => {
  const trimmed = value.trim();
  if (trimmed === "" || values.includes(trimmed)) return null;
  return (config) => config.add(key, trimmed);
};

export const removeValue =
  (key: string, value: string): TChange =>
  (config) =>
    config.remove(key, value);

/**
 * Why a new value of a repeatable key cannot be added: the catalogue's check of the value first, then the admin
 * lock (each as the shared rules word it; the field says it in the page's language).
 */
export type TNewValueProblem<TLock> = { value: TWorded } | { lock: TLock } | null;
export const newValueProblem = <TLock>(
  key: string,
  value: string,
  lock: TLock | null,
): TNewValueProblem<TLock> => {
  const info = lookupKey(key);
  const problem = info ? valueProblem(key, info, value.trim()) : null;
  return problem ? { value: problem } : lock ? { lock } : null;
};

/** The device presets of the allow list, as lxc.cgroup*.devices.allow values. */
export const DEVICES = [
  { label: "null", value: "c 1:3 rwm" },
  { label: "zero", value: "c 1:5 rwm" },
  { label: "random", value: "c 1:8 rwm" },
  { label: "urandom", value: "c 1:9 rwm" },
  { label: "tty", value: "c 5:0 rwm" },
  { label: "console", value: "c 5:1 rwm" },
  { label: "ptmx", value: "c 5:2 rwm" },
  { label: "pts", value: "c 136:* rwm" },
];

/** A MAC address in the 00:16:3e prefix LXC's own templates use. */
export const randomMac = (random: () => number = Math.random) =>
  `00:16:3e:${Array.from({ length: 3 }, () =>
    Math.floor(random() * 256)
      .toString(16)
      .padStart(2, "0"),
  ).join(":")}`;

/** The config's interface indexes, in numeric order (10 after 9), each once. */
export const interfaceIndexes = (config: LxcConfig) =>
  [
    ...new Set(
      config
        .entries()
        .map((entry) => /^lxc\.net\.(\d+)\./.exec(entry.key)?.[1])
        .filter((index): index is string => index !== undefined),
    ),
  ].sort((a, b) => Number(a) - Number(b));

/** The index a new interface takes: after the highest, so a gap left by a removed one is not reused. */
export const nextInterfaceIndex = (indexes: readonly string[]) =>
  indexes.length === 0 ? 0 : Math.max(...indexes.map(Number)) + 1;

/** A new veth interface, up, named after its index. */
export const addInterface =
  (index: number, mac: string): TChange =>
  (config) => {
    config.add(`lxc.net.${index}.type`, "veth");
    config.add(`lxc.net.${index}.flags`, "up");
    config.add(`lxc.net.${index}.name`, `eth${index}`);
    config.add(`lxc.net.${index}.hwaddr`, mac);
  };

export const removeInterface =
  (index: string): TChange =>
  (config) => {
    for (const entry of config.entries().filter((e) => e.key.startsWith(`lxc.net.${index}.`)))
      config.remove(entry.key);
  };

/** Swaps an interface with the one before it in the list (which need not be the index just below). */
export const moveInterfaceUp =
  (indexes: readonly string[], position: number): TChange =>
  (config) =>
    config.swapInterfaces(Number(indexes[position - 1]), Number(indexes[position]));

/** The resource keys of the host's cgroup version. */
export const cgroupKeys = (cgroup: "v1" | "v2") => {
  const prefix = cgroup === "v2" ? "lxc.cgroup2" : "lxc.cgroup";
  return {
    prefix,
    memory: cgroup === "v2" ? "lxc.cgroup2.memory.max" : "lxc.cgroup.memory.limit_in_bytes",
    swap: cgroup === "v2" ? "lxc.cgroup2.memory.swap.max" : "lxc.cgroup.memory.memsw.limit_in_bytes",
    cpuWeight: cgroup === "v2" ? "lxc.cgroup2.cpu.weight" : "lxc.cgroup.cpu.shares",
    cpuWeightPlaceholder: cgroup === "v2" ? "100" : "1024",
    cpuset: `${prefix}.cpuset.cpus`,
    pids: `${prefix}.pids.max`,
    devicesDeny: `${prefix}.devices.deny`,
    devicesAllow: `${prefix}.devices.allow`,
  };
};
