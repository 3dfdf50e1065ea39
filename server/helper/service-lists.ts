import type { TService, TServiceManager, TServiceState } from "../schemas/services";

/**
 * What a guest's service manager prints, read into services (pure: fed captured output in
 * server/helper/service-lists.test.ts). Nothing here trusts the guest: an odd line is skipped, an odd state is
 * "unknown", and a list is bounded.
 */
export const MAX_SERVICES = 5000;

const byName = (services: TService[]) =>
  services.sort((a, b) => a.name.localeCompare(b.name, "en")).slice(0, MAX_SERVICES);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const stringOf = (value: unknown) => (typeof value === "string" ? value : "");

const parseJsonArray = (text: string): Record<string, unknown>[] => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  return Array.isArray(parsed) ? parsed.filter(isRecord) : [];
};

/**
 * Which manager a container's init is, from what the kernel says it runs (/proc/PID/exe's link text and
 * /proc/PID/comm) and the answers of probes run inside it: `openrc` found, and whether the init is the same file as
 * the guest's /bin/busybox (`stat -L -c %d:%i /proc/1/exe /bin/busybox`: two equal lines). null: none known.
 */
export const judgeManager = (facts: {
  exe: string | null;
  comm: string | null;
  hasOpenrc: boolean;
  initIsBusybox: boolean;
  hasInitScripts: boolean;
}): TServiceManager | null => {
  const exeName =
    facts.exe
      ?.replace(/ \(deleted\)$/, "")
      .split("/")
      .pop() ?? "";
  const comm = facts.comm?.trim() ?? "";
  if (exeName === "systemd" || comm === "systemd") return "systemd";
  if (exeName === "openrc-init" || facts.hasOpenrc) return "openrc";
  if (exeName === "busybox" || facts.initIsBusybox) return "busybox";
  if (facts.hasInitScripts && (exeName === "init" || comm === "init")) return "sysvinit";
  return null;
};

/** `stat -L -c %d:%i /proc/1/exe /bin/busybox`: whether both lines name the same file. */
export const isSameFile = (statOutput: string) => {
  const lines = statOutput.split("\n").filter((line) => /^\d+:\d+$/.test(line.trim()));
  return lines.length === 2 && lines[0]?.trim() === lines[1]?.trim();
};

// ---------------------------------------------------------------------------------------------------------------
// systemd

const systemdState = (active: string): TServiceState =>
  active === "active" || active === "reloading"
    ? "running"
    : active === "inactive"
      ? "stopped"
      : active === "failed"
        ? "failed"
        : "unknown";

/** A unit file's state as "enabled": true, false, or null where enabling means nothing (static, alias, masked…). */
const systemdEnabled = (state: string): boolean | null =>
  state === "enabled" || state === "enabled-runtime"
    ? true
    : state === "disabled"
      ? false
      : state === "masked" || state === "masked-runtime"
        ? false
        : null;

/**
 * `systemctl list-units --type=service --all --no-legend --plain --no-pager --output=json` and
 * `systemctl list-unit-files --type=service --no-legend --no-pager --output=json` (systemd 252, Debian 12, has both):
 * every loaded service and every installed service file. Units systemd only heard of (load "not-found", not active)
 * and templates (`name@.service`) are left out.
 */
export const parseSystemd = (unitsJson: string, unitFilesJson: string): TService[] =>
  systemdServices(parseJsonArray(unitsJson), parseJsonArray(unitFilesJson));

/**
 * The same lists as text, for a systemd without `--output=json` (before 250: CentOS 7, Ubuntu 18.04):
 * `UNIT LOAD ACTIVE SUB DESCRIPTION…` (with `--plain`) and `UNIT-FILE STATE [PRESET]`.
 */
export const parseSystemdText = (unitsText: string, unitFilesText: string): TService[] => {
  const rows = (text: string) =>
    text
      .split("\n")
      .map((line) => line.trim().replace(/^[●*×]\s+/, ""))
      .filter(Boolean)
      .map((line) => line.split(/\s+/));
  return systemdServices(
    rows(unitsText).map(([unit = "", load = "", active = "", sub = "", ...description]) => ({
      unit,
      load,
      active,
      sub,
      description: description.join(" "),
    })),
    rows(unitFilesText).map(([unit_file = "", state = ""]) => ({ unit_file, state })),
  );
};

const systemdServices = (units: Record<string, unknown>[], unitFiles: Record<string, unknown>[]) => {
  const files = new Map<string, string>();
  for (const row of unitFiles) {
    const file = stringOf(row.unit_file);
    if (file.endsWith(".service")) files.set(file, stringOf(row.state));
  }
  const services = new Map<string, TService>();
  for (const row of units) {
    const name = stringOf(row.unit);
    if (!name.endsWith(".service")) continue;
    const active = stringOf(row.active);
    if (stringOf(row.load) === "not-found" && active !== "active" && active !== "failed") continue;
    const fileState = files.get(name);
    const description = stringOf(row.description);
    services.set(name, {
      name,
      description: description === name ? "" : description,
      state: systemdState(active),
      enabled: fileState === undefined ? null : systemdEnabled(fileState),
    });
  }
  for (const [name, state] of files) {
    if (services.has(name) || name.includes("@.")) continue;
    services.set(name, { name, description: "", state: "stopped", enabled: systemdEnabled(state) });
  }
  return byName([...services.values()]);
};

// ---------------------------------------------------------------------------------------------------------------
// OpenRC

const openrcState = (word: string): TServiceState =>
  word === "started"
    ? "running"
    : word === "stopped" || word === "inactive"
      ? "stopped"
      : word === "crashed" || word === "failed"
        ? "failed"
        : "unknown";

/**
 * `rc-status --servicelist` (every service: ` sshd   [  started  ]`) and `rc-update show -v` (every service and the
 * runlevels it is in: `   sshd | default`, nothing after `|` when in none). Enabled: in at least one runlevel.
 */
export const parseOpenrc = (servicelist: string, rcUpdateShow: string): TService[] => {
  const runlevels = new Map<string, boolean>();
  for (const line of rcUpdateShow.split("\n")) {
    const match = /^\s*([^\s|]+)\s*\|\s*(.*)$/.exec(line);
    if (match?.[1]) runlevels.set(match[1], (match[2] ?? "").trim() !== "");
  }
  const services = new Map<string, TService>();
  for (const line of servicelist.split("\n")) {
    const match = /^\s*(\S+)\s+\[\s*([a-z]+)(?:\s+[^\]]*)?\s*\]\s*$/.exec(line);
    if (!match?.[1] || !match[2]) continue;
    services.set(match[1], {
      name: match[1],
      description: "",
      state: openrcState(match[2]),
      enabled: runlevels.get(match[1]) ?? false,
    });
  }
  for (const [name, enabled] of runlevels)
    if (!services.has(name)) services.set(name, { name, description: "", state: "unknown", enabled });
  return byName([...services.values()]);
};

// ---------------------------------------------------------------------------------------------------------------
// sysvinit

/** Scripts in /etc/init.d that are not services. */
const NOT_SERVICES = new Set(["README", "rc", "rcS", "rc.local", "skeleton", "functions", "halt", "reboot"]);

/**
 * `ls -1 /etc/init.d` (the scripts), `service --status-all` (` [ + ]  ssh`, `-` stopped, `?` cannot tell) and
 * `ls -1 /etc/rc2.d /etc/rc3.d /etc/rc4.d /etc/rc5.d` (`S01ssh`: started in that runlevel, so enabled; `K01ssh`
 * only: disabled).
 */
export const parseSysvinit = (initScripts: string, statusAll: string, rcLinks: string): TService[] => {
  const states = new Map<string, TServiceState>();
  for (const line of statusAll.split("\n")) {
    const match = /^\s*\[\s*([+?-])\s*\]\s+(\S+)\s*$/.exec(line);
    if (match?.[1] && match[2])
      states.set(match[2], match[1] === "+" ? "running" : match[1] === "-" ? "stopped" : "unknown");
  }
  const started = new Set<string>();
  for (const line of rcLinks.split("\n")) {
    const match = /^S\d{2}(.+)$/.exec(line.trim());
    if (match?.[1]) started.add(match[1]);
  }
  const services: TService[] = [];
  for (const raw of initScripts.split("\n")) {
    const name = raw.trim();
    if (!name || name.startsWith(".") || NOT_SERVICES.has(name) || name.endsWith(".dpkg-dist")) continue;
    services.push({
      name,
      description: "",
      state: states.get(name) ?? "unknown",
      enabled: started.has(name),
    });
  }
  return byName(services);
};

// ---------------------------------------------------------------------------------------------------------------
// busybox init

/** What Atelier puts before an inittab line it disables (and takes away to enable it again). */
export const DISABLED_MARK = "#atelier-disabled#";

export type TInittabEntry = {
  /** The line's index in the file. */
  line: number;
  name: string;
  id: string;
  action: string;
  process: string;
  enabled: boolean;
};

const INITTAB_ACTIONS = new Set(["sysinit", "wait", "once", "respawn", "askfirst"]);

/**
 * /etc/inittab as busybox init reads it (`id:runlevels:action:process`): the entries that run something
 * (sysinit, wait, once, respawn, askfirst; not shutdown, restart, ctrlaltdel), each named by its program and its
 * tty (`getty@tty1`, `rcS`, `sh@console`), a repeated name numbered (`getty@tty1-2`). A line Atelier disabled
 * (DISABLED_MARK before it) is listed, not enabled.
 */
export const parseInittab = (text: string): TInittabEntry[] => {
  const entries: TInittabEntry[] = [];
  const seen = new Map<string, number>();
  text.split("\n").forEach((raw, index) => {
    const enabled = !raw.startsWith(DISABLED_MARK);
    const line = enabled ? raw : raw.slice(DISABLED_MARK.length);
    if (line.trimStart().startsWith("#")) return;
    const match = /^([^:]*):([^:]*):([^:]*):(.+)$/.exec(line.trim());
    if (!match) return;
    const [, id = "", , action = "", process = ""] = match;
    if (!INITTAB_ACTIONS.has(action)) return;
    const program = (process.trim().replace(/^-/, "").split(/\s+/)[0] ?? "").split("/").pop() ?? "";
    const base = `${program.replace(/[^A-Za-z0-9@._:-]/g, "_") || "entry"}${id ? `@${id.replace(/[^A-Za-z0-9@._:-]/g, "_")}` : ""}`;
    const safe = /^[A-Za-z0-9]/.test(base) ? base : `x${base}`;
    const count = (seen.get(safe) ?? 0) + 1;
    seen.set(safe, count);
    entries.push({
      line: index,
      name: count === 1 ? safe : `${safe}-${count}`,
      id,
      action,
      process: process.trim(),
      enabled,
    });
  });
  return entries;
};

/** `ps -o pid,args` (busybox): the command lines running. */
export const parseProcessArgs = (text: string) =>
  text
    .split("\n")
    .slice(1)
    .map((line) => /^\s*\d+\s+(.*)$/.exec(line)?.[1]?.trim() ?? "")
    .filter(Boolean);

/**
 * Busybox init's entries as services: respawn and askfirst entries run while their process does; one-shot entries
 * (sysinit, wait, once) ran at boot and are not watched ("unknown" unless still running).
 */
export const busyboxServices = (entries: TInittabEntry[], running: string[]): TService[] => {
  const commands = new Set(running);
  return byName(
    entries.map((entry) => {
      const isRunning = commands.has(entry.process.replace(/^-/, ""));
      const isWatched = entry.action === "respawn" || entry.action === "askfirst";
      return {
        name: entry.name,
        description: `${entry.action}: ${entry.process}`,
        state: isRunning ? "running" : isWatched ? "stopped" : "unknown",
        enabled: entry.enabled,
      };
    }),
  );
};

/** The inittab with one entry's line disabled (DISABLED_MARK before it) or enabled again. */
export const toggleInittab = (text: string, entry: TInittabEntry, enable: boolean) => {
  const lines = text.split("\n");
  const line = lines[entry.line] ?? "";
  const isDisabled = line.startsWith(DISABLED_MARK);
  if (enable && isDisabled) lines[entry.line] = line.slice(DISABLED_MARK.length);
  if (!enable && !isDisabled) lines[entry.line] = `${DISABLED_MARK}${line}`;
  return lines.join("\n");
};
