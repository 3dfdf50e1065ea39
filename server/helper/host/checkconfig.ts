import type { TReadinessCheck, TReadinessStatus } from "../contract/host";

/**
 * lxc-checkconfig's report (LXC 5.0's /usr/bin/lxc-checkconfig, a shell script), read line by line. It prints
 * `Label: value` lines under `--- Section ---` headings, where the value is `enabled`, `missing` (yellow: a feature
 * is lost) or `required` (red: LXC cannot work), sometimes followed by `, loaded` / `, not loaded` (the module);
 * the v1 cgroup checks print a red `missing`; two lists (`Cgroup v1 mount points:` / `Cgroup v2 mount points:`,
 * then ` - /path` lines); lines about the id-map tools (`newuidmap is not installed`, `Warning: newgidmap is not
 * setuid-root`); `LXC version X`; and `Kernel configuration found at FILE` when it searched for it. On a terminal
 * the values are coloured (ESC[1;32m green, 1;33m yellow, 1;31m red, 0;39m back); through the runner (no terminal)
 * they are not, so the status comes from the word, with the red `missing` lines known by their label.
 */
export type TCheckconfigLine = {
  section: string;
  label: string;
  value: string;
  /** The colour it was printed in, when it was (a terminal). */
  colour: "green" | "yellow" | "red" | null;
  module: "loaded" | "not loaded" | null;
};

export type TCheckconfig = {
  lxcVersion: string | null;
  configFile: string | null;
  cgroupV1Mounts: string[];
  cgroupV2Mounts: string[];
  lines: TCheckconfigLine[];
  /** Lines that are a sentence of their own (the id-map tools). */
  notes: string[];
};

// Colours as the script prints them (printf \033[1;32m ...): ESC, '[', digits and ';', 'm'.
const ESCAPE = String.fromCharCode(27);
const ANSI = new RegExp(`${ESCAPE}\\[[0-9;]*[A-Za-z]`, "g");
const COLOURS: Record<string, TCheckconfigLine["colour"]> = {
  "1;32": "green",
  "1;33": "yellow",
  "1;31": "red",
};
const COLOURED = new RegExp(`${ESCAPE}\\[(1;3[123])m`);

export const stripAnsi = (text: string) => text.replace(ANSI, "");

const NOTE = /^(Warning: )?new[ug]idmap is (not installed|not setuid-root)$/;
const MOUNT_LIST = /^Cgroup v([12]) mount points:\s*$/;

export const parseCheckconfig = (output: string): TCheckconfig => {
  const result: TCheckconfig = {
    lxcVersion: null,
    configFile: null,
    cgroupV1Mounts: [],
    cgroupV2Mounts: [],
    lines: [],
    notes: [],
  };
  let section = "";
  let list: string[] | null = null;
  // A colour code may end one line and open the next (`enabled` printed by echo, its reset after the newline).
  for (const raw of output.replace(/\r/g, "").split("\n")) {
    const colourMatch = COLOURED.exec(raw);
    const line = stripAnsi(raw).trimEnd();
    if (line.startsWith(" - ") && list) {
      list.push(line.slice(3).trim());
      continue;
    }
    list = null;
    if (line === "") continue;
    const heading = /^--- (.+) ---$/.exec(line);
    if (heading) {
      section = heading[1] ?? "";
      continue;
    }
    const version = /^LXC version (\S+)$/.exec(line);
    if (version) {
      result.lxcVersion = version[1] ?? null;
      continue;
    }
    const found = /^Kernel configuration found at (.+)$/.exec(line);
    if (found) {
      result.configFile = found[1] ?? null;
      continue;
    }
    const mounts = MOUNT_LIST.exec(line);
    if (mounts) {
      list = mounts[1] === "1" ? result.cgroupV1Mounts : result.cgroupV2Mounts;
      continue;
    }
    if (NOTE.test(line)) {
      result.notes.push(line);
      continue;
    }
    const pair = /^([^:]+): (enabled|missing|required)(, (loaded|not loaded))?$/.exec(line);
    if (!pair) continue;
    result.lines.push({
      section,
      label: pair[1] ?? "",
      value: pair[2] ?? "",
      colour: (colourMatch && COLOURS[colourMatch[1] ?? ""]) ?? null,
      module: (pair[4] as TCheckconfigLine["module"] | undefined) ?? null,
    });
  }
  return result;
};

type TKnown = { key: string; config?: string; command?: string };

const mountV1 = (controller: string, option = controller) =>
  `mkdir -p /sys/fs/cgroup/${controller} && mount -t cgroup -o ${option} cgroup /sys/fs/cgroup/${controller}`;

/** Each label lxc-checkconfig prints (LXC 5.0), its key in the catalogue and the kernel option or command that fixes it. */
const KNOWN: Record<string, TKnown> = {
  Namespaces: { key: "namespaces", config: "CONFIG_NAMESPACES" },
  "Utsname namespace": { key: "utsNs", config: "CONFIG_UTS_NS" },
  "Ipc namespace": { key: "ipcNs", config: "CONFIG_IPC_NS" },
  "Pid namespace": { key: "pidNs", config: "CONFIG_PID_NS" },
  "User namespace": { key: "userNs", config: "CONFIG_USER_NS" },
  "Network namespace": { key: "netNs", config: "CONFIG_NET_NS" },
  "Multiple /dev/pts instances": { key: "devpts", config: "CONFIG_DEVPTS_MULTIPLE_INSTANCES" },
  Cgroups: { key: "cgroups", config: "CONFIG_CGROUPS" },
  "Cgroup namespace": { key: "cgroupNs" },
  "Cgroup v1 systemd controller": {
    key: "cgroupV1Systemd",
    command: mountV1("systemd", "none,name=systemd"),
  },
  "Cgroup v1 freezer controller": { key: "cgroupV1Freezer", command: mountV1("freezer") },
  "Cgroup v1 clone_children flag": { key: "cloneChildren" },
  "Cgroup device": { key: "cgroupDevice", config: "CONFIG_CGROUP_DEVICE" },
  "Cgroup sched": { key: "cgroupSched", config: "CONFIG_CGROUP_SCHED" },
  "Cgroup cpu account": { key: "cgroupCpuacct", config: "CONFIG_CGROUP_CPUACCT" },
  "Cgroup memory controller": { key: "memcg", config: "CONFIG_MEMCG" },
  "Cgroup cpuset": { key: "cpuset", config: "CONFIG_CPUSETS" },
  "Veth pair device": { key: "veth", config: "CONFIG_VETH" },
  Macvlan: { key: "macvlan", config: "CONFIG_MACVLAN" },
  Vlan: { key: "vlan", config: "CONFIG_VLAN_8021Q" },
  Bridges: { key: "bridges", config: "CONFIG_BRIDGE" },
  "Advanced netfilter": { key: "netfilter", config: "CONFIG_NETFILTER_ADVANCED" },
  CONFIG_NF_NAT_IPV4: { key: "nat", config: "CONFIG_NF_NAT_IPV4" },
  CONFIG_NF_NAT_IPV6: { key: "nat", config: "CONFIG_NF_NAT_IPV6" },
  CONFIG_IP_NF_TARGET_MASQUERADE: { key: "nat", config: "CONFIG_IP_NF_TARGET_MASQUERADE" },
  CONFIG_IP6_NF_TARGET_MASQUERADE: { key: "nat", config: "CONFIG_IP6_NF_TARGET_MASQUERADE" },
  CONFIG_NETFILTER_XT_TARGET_CHECKSUM: { key: "checksum", config: "CONFIG_NETFILTER_XT_TARGET_CHECKSUM" },
  CONFIG_NETFILTER_XT_MATCH_COMMENT: { key: "comment", config: "CONFIG_NETFILTER_XT_MATCH_COMMENT" },
  "FUSE (for use with lxcfs)": { key: "fuse", config: "CONFIG_FUSE_FS" },
  "checkpoint restore": { key: "checkpoint", config: "CONFIG_CHECKPOINT_RESTORE" },
  "File capabilities": { key: "fileCaps", config: "CONFIG_SECURITY_FILE_CAPABILITIES" },
};
// The rest of the checkpoint/restore section: options lxc-checkpoint (CRIU) needs, and Atelier does not use.
for (const option of ["FHANDLE", "EVENTFD", "EPOLL", "UNIX_DIAG", "INET_DIAG", "PACKET_DIAG", "NETLINK_DIAG"])
  KNOWN[`CONFIG_${option}`] = { key: "checkpoint", config: `CONFIG_${option}` };

/** Lines the script prints red although the word is `missing`: LXC cannot start containers without them. */
const RED_MISSING = new Set(["Cgroup v1 systemd controller", "Cgroup v1 freezer controller"]);

const statusOf = (line: TCheckconfigLine, key: string): TReadinessStatus => {
  const colour =
    line.colour ??
    (line.value === "enabled"
      ? "green"
      : line.value === "required" || RED_MISSING.has(line.label)
        ? "red"
        : "yellow");
  if (colour === "green") return "ok";
  if (colour === "red") return "problem";
  // Checkpoint/restore: lxc-checkpoint's, which Atelier does not offer.
  return key === "checkpoint" ? "info" : "warning";
};

const slug = (label: string) =>
  label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

const NOTE_FIXES: Record<string, string> = {
  "not installed": "apt-get install uidmap",
  "not setuid-root": "apt-get install --reinstall uidmap",
};

/** The report as readiness checks: one per line (kernel and cgroup options), one per note on the id-map tools. */
export const checksFromCheckconfig = (report: TCheckconfig): TReadinessCheck[] => {
  const checks: TReadinessCheck[] = report.lines.map((line) => {
    const known = KNOWN[line.label];
    const key = known?.key ?? "other";
    const config = known?.config ?? (/^CONFIG_[A-Z0-9_]+$/.test(line.label) ? line.label : undefined);
    const status = statusOf(line, key);
    const seen = line.module ? `${line.value}, ${line.module}` : line.value;
    return {
      id: `kernel.${slug(line.label)}`,
      group: line.section === "Control groups" ? "cgroups" : "kernel",
      status,
      label: line.label,
      seen,
      key,
      params: { label: line.label, seen, option: config ?? "" },
      fix:
        status === "ok" || status === "info"
          ? null
          : known?.command
            ? { kind: "command", text: known.command, file: null }
            : config
              ? { kind: "kernelConfig", text: `${config}=y`, file: null }
              : null,
      safeFix: null,
    };
  });
  for (const note of report.notes) {
    const tool = /new[ug]idmap/.exec(note)?.[0] ?? "newuidmap";
    const why = note.endsWith("not installed") ? "not installed" : "not setuid-root";
    checks.push({
      id: `kernel.${tool}`,
      group: "ids",
      status: "problem",
      label: tool,
      seen: why,
      key: "idmapTool",
      params: { tool, why: why === "not installed" ? "missing" : "notSetuid" },
      fix: { kind: "command", text: NOTE_FIXES[why] ?? "apt-get install uidmap", file: null },
      safeFix: null,
    });
  }
  return checks;
};
