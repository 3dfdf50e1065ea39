/**
 * Parsers for what the lxc tools print. Pure functions, unit-tested on output captured from the real tools
 * (server/lxc/__fixtures__).
 */
import { CONTAINER_STATES, type TContainerState } from "../schemas/container-state";

export { CONTAINER_STATES, type TContainerState };

const toState = (value: string): TContainerState =>
  (CONTAINER_STATES as readonly string[]).includes(value) ? (value as TContainerState) : "STOPPED";

export type TListedContainer = {
  name: string;
  state: TContainerState;
  pid: number | null;
  ipv4: string[];
  ipv6: string[];
  autostart: boolean;
  groups: string[];
  unprivileged: boolean;
};

/** The columns Atelier asks `lxc-ls -f -F` for, in this order. */
export const LXC_LS_COLUMNS = [
  "NAME",
  "STATE",
  "AUTOSTART",
  "GROUPS",
  "PID",
  "IPV4",
  "IPV6",
  "UNPRIVILEGED",
] as const;

const listOrEmpty = (value: string) =>
  value === "-" || value === ""
    ? []
    : value
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean);

/**
 * `lxc-ls -f` prints left-aligned columns padded with spaces, and a list cell ("10.0.3.5, 10.0.3.6") can itself
 * contain spaces, so cells are cut at the header's column offsets rather than split on white space.
 */
export const parseLxcLsFancy = (output: string): TListedContainer[] => {
  const lines = output.split("\n").filter((line) => line.trim() !== "");
  const header = lines.shift();
  if (!header) return [];

  const columns: { name: string; start: number }[] = [];
  for (const match of header.matchAll(/\S+/g)) columns.push({ name: match[0], start: match.index });

  const cell = (line: string, name: (typeof LXC_LS_COLUMNS)[number]) => {
    const index = columns.findIndex((column) => column.name === name);
    const column = columns[index];
    if (!column) return "";
    const end = columns[index + 1]?.start ?? line.length;
    return line.slice(column.start, end).trim();
  };

  return lines.map((line) => {
    const pid = Number.parseInt(cell(line, "PID"), 10);
    return {
      name: cell(line, "NAME"),
      state: toState(cell(line, "STATE")),
      pid: Number.isFinite(pid) && pid > 0 ? pid : null,
      ipv4: listOrEmpty(cell(line, "IPV4")),
      ipv6: listOrEmpty(cell(line, "IPV6")),
      autostart: cell(line, "AUTOSTART") === "1",
      groups: listOrEmpty(cell(line, "GROUPS")),
      unprivileged: cell(line, "UNPRIVILEGED") === "true",
    };
  });
};

export type TContainerInfo = {
  name: string;
  state: TContainerState;
  pid: number | null;
  ips: string[];
  /** Nanoseconds of CPU time, as `lxc-info -H` prints it. */
  cpuUseNs: number | null;
  memoryUseBytes: number | null;
  /** Host-side veth names. */
  links: string[];
};

/** `lxc-info -H`: "Key:   value" lines; IP and Link repeat; indented lines belong to the Link above. */
export const parseLxcInfo = (output: string): TContainerInfo => {
  const info: TContainerInfo = {
    name: "",
    state: "STOPPED",
    pid: null,
    ips: [],
    cpuUseNs: null,
    memoryUseBytes: null,
    links: [],
  };
  for (const line of output.split("\n")) {
    if (line.startsWith(" ")) continue;
    const match = /^([^:]+):\s*(.*)$/.exec(line);
    if (!match) continue;
    const [, key, rawValue] = match;
    const value = (rawValue ?? "").trim();
    const number = Number(value);
    switch (key) {
      case "Name":
        info.name = value;
        break;
      case "State":
        info.state = toState(value);
        break;
      case "PID":
        info.pid = Number.isInteger(number) && number > 0 ? number : null;
        break;
      case "IP":
        info.ips.push(value);
        break;
      case "CPU use":
        info.cpuUseNs = Number.isFinite(number) ? number : null;
        break;
      case "Memory use":
        info.memoryUseBytes = Number.isFinite(number) ? number : null;
        break;
      case "Link":
        info.links.push(value);
        break;
    }
  }
  return info;
};
