/**
 * The keys of LXC 4/5 container configs (lxc.container.conf(5) as the lxc package installs it): type, allowed
 * values, whether a key may repeat, whether a change applies to a running container at once (cgroup limits, through
 * `lxc-cgroup`) or at the next start, and a one-line description for the editor. Legacy (pre-LXC 3) keys map to
 * their modern names as `lxc-update-config` does.
 *
 * Patterns: `N` stands for an interface index (lxc.net.0.link), `*` for any name (lxc.cgroup.*, lxc.sysctl.*).
 */
export type TValueType =
  | "string"
  | "path"
  | "relative-path"
  | "uint"
  | "int"
  | "bool"
  | "size"
  | "enum"
  | "ipv4-cidr"
  | "ipv6-cidr"
  | "ipv4"
  | "ipv6"
  | "mac"
  | "cpuset"
  | "device-rule"
  | "idmap"
  | "signal"
  | "name";

export type TSection =
  | "general"
  | "network"
  | "resources"
  | "devices"
  | "mounts"
  | "consoles"
  | "autostart"
  | "security"
  | "rootfs"
  | "hooks"
  | "logging"
  | "other";

export type TKeyInfo = {
  key: string;
  type: TValueType;
  /** For "enum" (and suggestions for others). */
  values?: readonly string[];
  repeatable: boolean;
  /** "live": a running container takes the new value at once (lxc-cgroup); "restart": at the next start. */
  apply: "live" | "restart";
  section: TSection;
  description: string;
};

const entry = (
  key: string,
  type: TValueType,
  section: TSection,
  description: string,
  extra: Partial<Pick<TKeyInfo, "values" | "repeatable" | "apply">> = {},
): TKeyInfo => ({ key, type, section, description, repeatable: false, apply: "restart", ...extra });

const BOOL = ["0", "1"] as const;

export const KEYS: readonly TKeyInfo[] = [
  // General
  entry("lxc.uts.name", "name", "general", "Hostname of the container"),
  entry(
    "lxc.arch",
    "enum",
    "general",
    "Architecture the container runs as (a 32-bit userland on a 64-bit host: i686)",
    {
      values: [
        "x86",
        "i686",
        "x86_64",
        "amd64",
        "arm",
        "armel",
        "armhf",
        "arm64",
        "aarch64",
        "ppc64el",
        "s390x",
      ],
    },
  ),
  entry(
    "lxc.include",
    "path",
    "general",
    "Another config file (or directory of .conf files) read at this point",
    {
      repeatable: true,
    },
  ),
  entry(
    "lxc.environment",
    "string",
    "general",
    "An environment variable for the container's init (NAME=value)",
    {
      repeatable: true,
    },
  ),
  entry("lxc.init.cmd", "string", "general", "The command run as init (default /sbin/init)"),
  entry("lxc.init.cwd", "path", "general", "Working directory of init"),
  entry("lxc.init.uid", "uint", "general", "User id init runs as"),
  entry("lxc.init.gid", "uint", "general", "Group id init runs as"),
  entry("lxc.execute.cmd", "string", "general", "The command lxc-execute runs"),
  entry("lxc.ephemeral", "bool", "general", "Destroy the container when it stops", { values: BOOL }),
  entry("lxc.signal.halt", "signal", "general", "Signal sent to init to halt (SIGPWR by default)"),
  entry("lxc.signal.reboot", "signal", "general", "Signal sent to init to reboot (SIGINT by default)"),
  entry("lxc.signal.stop", "signal", "general", "Signal sent to init to kill (SIGKILL by default)"),
  entry(
    "lxc.sysctl.*",
    "string",
    "general",
    "A kernel parameter set in the container (lxc.sysctl.net.ipv4.ip_forward)",
    {
      repeatable: true,
    },
  ),
  entry(
    "lxc.proc.*",
    "string",
    "general",
    "A /proc/PID file of init written at start (lxc.proc.oom_score_adj)",
  ),
  entry(
    "lxc.prlimit.*",
    "string",
    "resources",
    "A resource limit (lxc.prlimit.nofile = 1024:2048, or unlimited)",
  ),
  entry(
    "lxc.time.offset.boot",
    "string",
    "general",
    "Offset of the container's boot clock (s, ms, us, ns, m, h)",
  ),
  entry("lxc.time.offset.monotonic", "string", "general", "Offset of the container's monotonic clock"),
  entry(
    "lxc.namespace.clone",
    "string",
    "general",
    "Namespaces to create (cgroup ipc mnt net pid time user uts)",
  ),
  entry("lxc.namespace.keep", "string", "general", "Namespaces to inherit from the host"),
  entry("lxc.namespace.share.*", "string", "general", "Join another container's (or process's) namespace"),
  entry("lxc.monitor.unshare", "bool", "general", "Unshare the monitor's mount namespace", { values: BOOL }),
  entry(
    "lxc.monitor.signal.pdeath",
    "signal",
    "general",
    "Signal sent to the container when its monitor dies",
  ),
  entry("lxc.keyring.session", "bool", "general", "Give the container a new session keyring", {
    values: BOOL,
  }),
  entry("lxc.sched.core", "bool", "general", "Put the container in its own core-scheduling domain", {
    values: BOOL,
  }),

  // Network (N = interface index)
  entry("lxc.net", "enum", "network", "An empty value removes every network interface defined so far", {
    values: [""],
  }),
  entry(
    "lxc.net.N.type",
    "enum",
    "network",
    "Kind of interface: veth (bridged pair), macvlan, ipvlan, vlan, phys, empty, none",
    {
      values: ["veth", "macvlan", "ipvlan", "vlan", "phys", "empty", "none"],
    },
  ),
  entry(
    "lxc.net.N.link",
    "name",
    "network",
    "Host interface: the bridge (veth), or the parent NIC (macvlan, vlan, phys)",
  ),
  entry("lxc.net.N.name", "name", "network", "Interface name inside the container (eth0)"),
  entry("lxc.net.N.flags", "enum", "network", "up: bring the interface up at start", { values: ["up"] }),
  entry(
    "lxc.net.N.hwaddr",
    "mac",
    "network",
    "MAC address (x digits are filled in at random: 00:16:3e:xx:xx:xx)",
  ),
  entry("lxc.net.N.mtu", "uint", "network", "Maximum transfer unit"),
  entry("lxc.net.N.ipv4.address", "ipv4-cidr", "network", "Static IPv4 address with prefix (10.0.3.10/24)", {
    repeatable: true,
  }),
  entry("lxc.net.N.ipv4.gateway", "ipv4", "network", "IPv4 default gateway (or auto, or dev)", {
    values: ["auto", "dev"],
  }),
  entry("lxc.net.N.ipv6.address", "ipv6-cidr", "network", "Static IPv6 address with prefix", {
    repeatable: true,
  }),
  entry("lxc.net.N.ipv6.gateway", "ipv6", "network", "IPv6 default gateway (or auto, or dev)", {
    values: ["auto", "dev"],
  }),
  entry("lxc.net.N.veth.pair", "name", "network", "Name of the host side of a veth pair"),
  entry("lxc.net.N.veth.mode", "enum", "network", "veth mode: bridge or router", {
    values: ["bridge", "router"],
  }),
  entry("lxc.net.N.veth.ipv4.route", "ipv4-cidr", "network", "Host route to the container (router mode)", {
    repeatable: true,
  }),
  entry("lxc.net.N.veth.ipv6.route", "ipv6-cidr", "network", "Host route to the container (router mode)", {
    repeatable: true,
  }),
  entry("lxc.net.N.veth.vlan.id", "string", "network", "Untagged VLAN on the bridge port (or none)"),
  entry("lxc.net.N.veth.vlan.tagged.id", "uint", "network", "A tagged VLAN on the bridge port", {
    repeatable: true,
  }),
  entry("lxc.net.N.macvlan.mode", "enum", "network", "macvlan mode", {
    values: ["private", "vepa", "bridge", "passthru"],
  }),
  entry("lxc.net.N.ipvlan.mode", "enum", "network", "ipvlan mode", { values: ["l3", "l3s", "l2"] }),
  entry("lxc.net.N.ipvlan.isolation", "enum", "network", "ipvlan isolation", {
    values: ["bridge", "private", "vepa"],
  }),
  entry("lxc.net.N.vlan.id", "uint", "network", "VLAN id (vlan interfaces)"),
  entry(
    "lxc.net.N.l2proxy",
    "bool",
    "network",
    "Add proxy ARP/NDP entries on the link for the container's addresses",
    {
      values: BOOL,
    },
  ),
  entry("lxc.net.N.script.up", "path", "network", "Script run on the host when the interface is created"),
  entry("lxc.net.N.script.down", "path", "network", "Script run on the host when the interface is removed"),

  // Resources: cgroup v1 (lxc.cgroup.*) and v2 (lxc.cgroup2.*) apply live.
  entry(
    "lxc.cgroup.memory.limit_in_bytes",
    "size",
    "resources",
    "Memory limit (cgroup v1): 512M, 2G; over it, processes are OOM-killed",
    {
      apply: "live",
    },
  ),
  entry("lxc.cgroup.memory.memsw.limit_in_bytes", "size", "resources", "Memory + swap limit (cgroup v1)", {
    apply: "live",
  }),
  entry(
    "lxc.cgroup.memory.soft_limit_in_bytes",
    "size",
    "resources",
    "Memory reclaimed first above this (cgroup v1)",
    {
      apply: "live",
    },
  ),
  entry(
    "lxc.cgroup.cpu.shares",
    "uint",
    "resources",
    "CPU weight relative to other containers (1024 is the default)",
    {
      apply: "live",
    },
  ),
  entry("lxc.cgroup.cpu.cfs_quota_us", "int", "resources", "CPU time per period in µs (-1: no quota)", {
    apply: "live",
  }),
  entry("lxc.cgroup.cpu.cfs_period_us", "uint", "resources", "CPU quota period in µs (100000 by default)", {
    apply: "live",
  }),
  entry("lxc.cgroup.cpuset.cpus", "cpuset", "resources", "CPUs the container may run on (0-1,3)", {
    apply: "live",
  }),
  entry("lxc.cgroup.cpuset.mems", "cpuset", "resources", "Memory nodes the container may use", {
    apply: "live",
  }),
  entry(
    "lxc.cgroup.pids.max",
    "string",
    "resources",
    "Most processes the container may have (a number, or max)",
    {
      apply: "live",
      values: ["max"],
    },
  ),
  entry("lxc.cgroup.blkio.weight", "uint", "resources", "Block IO weight (10-1000)", { apply: "live" }),
  entry(
    "lxc.cgroup.*",
    "string",
    "resources",
    "A cgroup v1 file of the container, written at start and live (lxc-cgroup)",
    {
      apply: "live",
      repeatable: true,
    },
  ),
  entry("lxc.cgroup2.memory.max", "size", "resources", "Memory limit (cgroup v2)", {
    apply: "live",
    values: ["max"],
  }),
  entry("lxc.cgroup2.memory.high", "size", "resources", "Memory throttled above this (cgroup v2)", {
    apply: "live",
    values: ["max"],
  }),
  entry("lxc.cgroup2.memory.swap.max", "size", "resources", "Swap limit (cgroup v2)", {
    apply: "live",
    values: ["max"],
  }),
  entry(
    "lxc.cgroup2.cpu.max",
    "string",
    "resources",
    'CPU quota and period in µs ("max 100000" or "50000 100000")',
    {
      apply: "live",
    },
  ),
  entry("lxc.cgroup2.cpu.weight", "uint", "resources", "CPU weight (1-10000, 100 by default)", {
    apply: "live",
  }),
  entry("lxc.cgroup2.cpuset.cpus", "cpuset", "resources", "CPUs the container may run on (cgroup v2)", {
    apply: "live",
  }),
  entry("lxc.cgroup2.pids.max", "string", "resources", "Most processes (cgroup v2)", {
    apply: "live",
    values: ["max"],
  }),
  entry(
    "lxc.cgroup2.*",
    "string",
    "resources",
    "A cgroup v2 file of the container, written at start and live",
    {
      apply: "live",
      repeatable: true,
    },
  ),
  entry(
    "lxc.cgroup.dir",
    "relative-path",
    "resources",
    "Where the container's cgroup is created (relative to the root)",
  ),
  entry("lxc.cgroup.dir.container", "relative-path", "resources", "The container's own cgroup directory"),
  entry("lxc.cgroup.dir.monitor", "relative-path", "resources", "The monitor's cgroup directory"),
  entry(
    "lxc.cgroup.dir.monitor.pivot",
    "relative-path",
    "resources",
    "Where the monitor moves when the container stops",
  ),
  entry("lxc.cgroup.dir.container.inner", "name", "resources", "An inner cgroup for the container's payload"),
  entry("lxc.cgroup.relative", "bool", "resources", "Create the cgroup relative to the caller's", {
    values: BOOL,
  }),

  // Devices (cgroup device rules: allow/deny lists)
  entry(
    "lxc.cgroup.devices.allow",
    "device-rule",
    "devices",
    "Allow a device: type major:minor access (c 1:3 rwm)",
    {
      repeatable: true,
      apply: "live",
    },
  ),
  entry("lxc.cgroup.devices.deny", "device-rule", "devices", "Deny a device (a = every device)", {
    repeatable: true,
    apply: "live",
  }),
  entry(
    "lxc.cgroup2.devices.allow",
    "device-rule",
    "devices",
    "Allow a device (cgroup v2, enforced with eBPF)",
    {
      repeatable: true,
    },
  ),
  entry("lxc.cgroup2.devices.deny", "device-rule", "devices", "Deny a device (cgroup v2)", {
    repeatable: true,
  }),
  entry("lxc.autodev", "bool", "devices", "Populate a minimal /dev in the container", { values: BOOL }),
  entry("lxc.autodev.tmpfs.size", "uint", "devices", "Size of that /dev tmpfs in MB"),

  // Mounts
  entry("lxc.mount.entry", "string", "mounts", "A mount in fstab format (source target type options 0 0)", {
    repeatable: true,
  }),
  entry("lxc.mount.fstab", "path", "mounts", "An fstab file of mounts"),
  entry(
    "lxc.mount.auto",
    "string",
    "mounts",
    "Standard filesystems to mount: proc:mixed sys:ro cgroup:mixed ...",
    {
      repeatable: true,
    },
  ),

  // Root filesystem
  entry(
    "lxc.rootfs.path",
    "string",
    "rootfs",
    "The root filesystem: a directory (dir:/path), overlay, lvm, zfs ...",
  ),
  entry("lxc.rootfs.mount", "path", "rootfs", "Where the rootfs is mounted before pivot_root"),
  entry("lxc.rootfs.options", "string", "rootfs", "Mount options of the rootfs"),
  entry("lxc.rootfs.managed", "bool", "rootfs", "LXC owns the rootfs and may delete it", { values: BOOL }),

  // Consoles
  entry("lxc.tty.max", "uint", "consoles", "Number of ttys (lxc-console) given to the container"),
  entry("lxc.tty.dir", "name", "consoles", "Directory under /dev holding the ttys (lxc)"),
  entry("lxc.pty.max", "uint", "consoles", "Most pseudo-terminals (devpts instances) in the container"),
  entry("lxc.console.path", "string", "consoles", "The console device (none to have none)"),
  entry("lxc.console.logfile", "path", "consoles", "Log the console to this file"),
  entry("lxc.console.rotate", "bool", "consoles", "Rotate the console log", { values: BOOL }),
  entry("lxc.console.size", "string", "consoles", "Console log size (auto, none, or bytes)"),
  entry("lxc.console.buffer.size", "string", "consoles", "Console ring buffer size"),

  // Autostart
  entry("lxc.start.auto", "bool", "autostart", "Start the container when the host boots (lxc-autostart)", {
    values: BOOL,
  }),
  entry("lxc.start.delay", "uint", "autostart", "Seconds to wait after starting it before the next one"),
  entry("lxc.start.order", "int", "autostart", "Start order (lower starts first)"),
  entry("lxc.group", "name", "autostart", "A group the container belongs to (lxc-autostart -g)", {
    repeatable: true,
  }),

  // Security
  entry("lxc.cap.drop", "string", "security", "Capabilities to drop (sys_module mac_admin ...)", {
    repeatable: true,
  }),
  entry(
    "lxc.cap.keep",
    "string",
    "security",
    "Capabilities to keep; all others are dropped (none for none)",
    {
      repeatable: true,
    },
  ),
  entry(
    "lxc.apparmor.profile",
    "string",
    "security",
    "AppArmor profile (generated, unconfined, or a profile name)",
  ),
  entry("lxc.apparmor.allow_incomplete", "bool", "security", "Start even if AppArmor lacks features", {
    values: BOOL,
  }),
  entry("lxc.apparmor.allow_nesting", "bool", "security", "Allow containers inside this one", {
    values: BOOL,
  }),
  entry("lxc.apparmor.raw", "string", "security", "Raw AppArmor lines added to the generated profile", {
    repeatable: true,
  }),
  entry("lxc.selinux.context", "string", "security", "SELinux context of the container"),
  entry("lxc.selinux.context.keyring", "string", "security", "SELinux context of the session keyring"),
  entry("lxc.seccomp.profile", "path", "security", "Seccomp policy file"),
  entry("lxc.seccomp.allow_nesting", "bool", "security", "Allow nested seccomp policies", { values: BOOL }),
  entry("lxc.seccomp.notify.proxy", "string", "security", "Seccomp notifier proxy socket (unix:PATH)"),
  entry("lxc.seccomp.notify.cookie", "string", "security", "Cookie sent to the notifier proxy"),
  entry("lxc.no_new_privs", "bool", "security", "Set no_new_privs for the container's init", {
    values: BOOL,
  }),
  entry(
    "lxc.idmap",
    "idmap",
    "security",
    "UID/GID map of an unprivileged container: u|g inside outside count",
    {
      repeatable: true,
    },
  ),

  // Hooks
  ...[
    "pre-start",
    "pre-mount",
    "mount",
    "autodev",
    "start-host",
    "start",
    "stop",
    "post-stop",
    "clone",
    "destroy",
  ].map((hook) =>
    entry(`lxc.hook.${hook}`, "string", "hooks", `A command run at the ${hook} hook`, { repeatable: true }),
  ),
  entry("lxc.hook.version", "enum", "hooks", "How hooks get their arguments (0: arguments, 1: environment)", {
    values: BOOL,
  }),

  // Logging
  entry("lxc.log.file", "path", "logging", "The container's LXC log file"),
  entry("lxc.log.level", "enum", "logging", "Log level (0-8 or TRACE … FATAL)", {
    values: [
      "TRACE",
      "DEBUG",
      "INFO",
      "NOTICE",
      "WARN",
      "ERROR",
      "CRIT",
      "ALERT",
      "FATAL",
      "0",
      "1",
      "2",
      "3",
      "4",
      "5",
      "6",
      "7",
      "8",
    ],
  }),
  entry(
    "lxc.log.syslog",
    "string",
    "logging",
    "Send the log to syslog with this facility (daemon, local0 ...)",
  ),
];

const patternOf = (key: string) =>
  new RegExp(`^${key.replace(/\./g, "\\.").replace(/\bN\b/g, "\\d+").replace(/\*$/, ".+")}$`);
const COMPILED = KEYS.map((info) => ({ info, pattern: patternOf(info.key) }));

/** The catalogue entry of a key: the most specific pattern that matches (lxc.cgroup.cpu.shares before lxc.cgroup.*). */
export const lookupKey = (key: string): TKeyInfo | undefined => {
  const exact = COMPILED.find(({ info, pattern }) => !info.key.endsWith("*") && pattern.test(key));
  return exact?.info ?? COMPILED.find(({ pattern }) => pattern.test(key))?.info;
};

/** Legacy (pre-LXC 3) keys and their modern names; `lxc.network.*` moves to `lxc.net.*` with its own rules. */
export const LEGACY_KEYS: Readonly<Record<string, string>> = {
  "lxc.utsname": "lxc.uts.name",
  "lxc.pts": "lxc.pty.max",
  "lxc.tty": "lxc.tty.max",
  "lxc.devttydir": "lxc.tty.dir",
  "lxc.id_map": "lxc.idmap",
  "lxc.aa_profile": "lxc.apparmor.profile",
  "lxc.aa_allow_incomplete": "lxc.apparmor.allow_incomplete",
  "lxc.se_context": "lxc.selinux.context",
  "lxc.mount": "lxc.mount.fstab",
  "lxc.rootfs": "lxc.rootfs.path",
  "lxc.seccomp": "lxc.seccomp.profile",
  "lxc.console": "lxc.console.path",
  "lxc.haltsignal": "lxc.signal.halt",
  "lxc.rebootsignal": "lxc.signal.reboot",
  "lxc.stopsignal": "lxc.signal.stop",
  "lxc.syslog": "lxc.log.syslog",
  "lxc.loglevel": "lxc.log.level",
  "lxc.logfile": "lxc.log.file",
  "lxc.init_cmd": "lxc.init.cmd",
  "lxc.init_uid": "lxc.init.uid",
  "lxc.init_gid": "lxc.init.gid",
  "lxc.limit": "lxc.prlimit",
};
