import { IDMAPPED_ROOTFS } from "../idmap";
import {
  worded,
  wordsOf,
  type TValidationCatalogue,
  type TValidationParams,
  type TValidationWords,
  type TWorded,
} from "../../i18n/validation-words";
import { SNAPSHOT_NAME } from "../snapshot-name";
import { divergences, groupOf, LxcConfig, type TConfigEntry } from "./model";

/**
 * Which config lines let a container, or its config, act as root on the host: those are the admin's to write.
 * An operator may keep such a line unchanged in a config an admin wrote, never add or alter one, and never remove
 * a protection (a dropped capability, a device deny rule, an include, an ID map, a seccomp profile).
 *
 * Pure (no Node module): the server enforces it on every write path, and the config views show the same locks.
 * Host paths are judged here by their text; the server also resolves bind sources on the host (realpathBindRoot)
 * so that a symlink inside a bind root cannot point out of it.
 */
export type TPrivilegeContext = {
  /** The lxcpath and the container's name: a rootfs inside the container's own directory is the operator's. */
  lxcPath: string;
  name: string;
  /** Host directories operators may bind-mount from (ATELIER_BIND_ROOTS). */
  bindRoots: readonly string[];
};

export type TPrivilegedChange = {
  /** 1-based line in the text it was found in (the new text for additions, the old one for removals). */
  line: number;
  key: string;
  value: string;
  kind: "added" | "removed";
  /** Why, in English. */
  reason: string;
  /** Why, as the `validation` catalogue's sentence (the pages word it in the reader's language). */
  reasonWords?: TValidationWords;
};

/** A line's lock: why only an admin may write it, a sentence of the catalogue's `locks`. */
type TLockKey = Extract<keyof TValidationCatalogue["locks"], string>;
const lock = (key: TLockKey, params?: TValidationParams): TWorded =>
  worded(`validation.locks.${key}`, params);

/** A normalised absolute POSIX path (no `.`, `..` or repeated slashes), or null for a relative or odd one. */
export const normalisePath = (value: string): string | null => {
  if (!value.startsWith("/") || /[\0\n\r]/.test(value)) return null;
  const parts: string[] = [];
  for (const part of value.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
};

export const isInside = (child: string, parent: string) =>
  parent === "/" ? child.startsWith("/") : child === parent || child.startsWith(`${parent}/`);

/** Whether a host path (already resolved) lies in one of the bind roots. */
export const isInBindRoots = (value: string, bindRoots: readonly string[]) => {
  const normal = normalisePath(value);
  if (!normal || normal !== value.replace(/\/+$/, "").replace(/\/+/g, "/")) return false;
  return bindRoots.some((root) => {
    const base = normalisePath(root);
    return base !== null && isInside(normal, base);
  });
};

const NAME = "[A-Za-z0-9][A-Za-z0-9_.-]{0,62}";
/** snapN, as in server/schemas/snapshot-name.ts (its pattern without the anchors). */
const SNAP = SNAPSHOT_NAME.source.slice(1, -1);
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A rootfs an operator may name: the container's own, or the layers of snapshots and overlay clones in the lxcpath. */
const isOwnRootfs = (value: string, ctx: TPrivilegeContext) => {
  const lxc = normalisePath(ctx.lxcPath);
  if (!lxc) return false;
  const layer = new RegExp(
    `^${escape(lxc === "/" ? "" : lxc)}/${NAME}/(rootfs|overlay/delta|snaps/${SNAP}/rootfs|snaps/${SNAP}/delta0)$`,
  );
  const own = `${lxc === "/" ? "" : lxc}/${ctx.name}/rootfs`;
  const plain = value.replace(/^dir:/, "");
  if (normalisePath(plain) === plain && plain === own) return true;
  const overlay = /^overlayf?s?:([^:]+):([^:]+)$/.exec(value);
  if (!overlay?.[1] || !overlay[2]) return false;
  // The upper layer (written, and deleted with an ephemeral container) is the container's own.
  const ownUpper = `${lxc === "/" ? "" : lxc}/${ctx.name}/`;
  return (
    overlay[2].startsWith(ownUpper) &&
    [overlay[1], overlay[2]].every((part) => normalisePath(part) === part && layer.test(part))
  );
};

/** /dev nodes a container may read and write by default (null, zero, full, random, urandom, tty, console, ptmx, pts, fuse, tun). */
const SAFE_DEVICES = new Set([
  "1:3",
  "1:5",
  "1:7",
  "1:8",
  "1:9",
  "5:0",
  "5:1",
  "5:2",
  "136:*",
  "10:229",
  "10:200",
]);
const SAFE_MOUNT_AUTO = new Set([
  "proc",
  "proc:mixed",
  "sys",
  "sys:mixed",
  "sys:ro",
  "cgroup:mixed",
  "cgroup:ro",
  "cgroup-full:mixed",
  "cgroup-full:ro",
]);
const SAFE_APPARMOR = new Set(["generated", "lxc-container-default", "lxc-container-default-cgns"]);
/**
 * LXC's shipped base configs an operator may include, by name: each was read (Debian 12's lxc 5.0.2) and holds
 * only lines an operator may write (server/lxc-config/privileges.test.ts checks the installed files), but for
 * common.conf: its clone hook (checked before every clone, snapshot and restore: server/rootfs/clone-hooks.ts), an
 * optional bind of the fuse connections, and common.conf.d/, the admin's. Not nesting.conf, oci.common.conf, the
 * ubuntu files (hooks, host bind mounts), nor the debian, devuan, gentoo, kali, slackware, plamo and openwrt files
 * (they allow /dev/kvm, the HPET, character major 254 or the host's ttys), nor alpine's (a create= mount).
 */
const SAFE_COMMON_INCLUDES = new Set(
  [
    "common",
    "archlinux.common",
    "centos.common",
    "fedora.common",
    "opensuse.common",
    "oracle.common",
    "sparclinux.common",
    "voidlinux.common",
  ].map((name) => `/usr/share/lxc/config/${name}.conf`),
);
/**
 * The userns files clear the dropped capabilities and device rules and mount sys read-write: right for a container
 * whose ids are mapped (its capabilities are its user namespace's), host root's for a privileged one.
 */
const USERNS_INCLUDES = new Set(
  [
    "userns",
    "alpine.userns",
    "archlinux.userns",
    "centos.userns",
    "debian.userns",
    "devuan.userns",
    "fedora.userns",
    "gentoo.userns",
    "kali.userns",
    "opensuse.userns",
    "oracle.userns",
    "plamo.userns",
    "sabayon.userns",
    "slackware.userns",
    "sparclinux.userns",
    "voidlinux.userns",
  ].map((name) => `/usr/share/lxc/config/${name}.conf`),
);
export const isUsernsInclude = (value: string) => USERNS_INCLUDES.has(value);
/** cgroup files a limit may be written to; others (cgroup.procs, devices.*, …) are the admin's. */
const SAFE_CGROUP_FILE = /^(memory|cpu|cpuset|cpuacct|pids|blkio|io|hugetlb)\.[a-z0-9_]+(\.[a-z0-9_]+)*$/i;
/** Pseudo filesystems an operator may mount (none reaches host state). */
const SAFE_FSTYPES = new Set(["tmpfs", "devpts", "mqueue"]);
/**
 * Mount options an operator may use (liblxc's flags and the data of tmpfs, devpts and mqueue): never remount, move,
 * a propagation change (shared, slave...), suid/dev on a host path or anything liblxc would pass on unread.
 */
const SAFE_MOUNT_OPTION =
  /^(defaults|ro|rw|nosuid|nodev|noexec|bind|rbind|optional|relatime|noatime|nodiratime|strictatime|size=\d+[kmg%]?|nr_inodes=\d+[kmg]?|mode=[0-7]{1,4}|uid=\d+|gid=\d+|newinstance|ptmxmode=[0-7]{1,4}|max=\d+)$/;
const isOff = (value: string) => value === "" || value === "0";
const SAFE_PRLIMIT =
  /^lxc\.prlimit\.(as|core|cpu|data|fsize|locks|memlock|msgqueue|nice|nofile|nproc|rss|rtprio|rttime|sigpending|stack)$/;
/** Network keys whose effect stays in the container's own interface (type veth or empty only). */
const SAFE_NET_FIELDS = new Set([
  "type",
  "link",
  "flags",
  "name",
  "hwaddr",
  "mtu",
  "ipv4.address",
  "ipv4.gateway",
  "ipv6.address",
  "ipv6.gateway",
]);

/**
 * A mount entry's fields as liblxc reads them: it hands the value to getmntent(3), which splits on spaces and tabs
 * and decodes \040 (space), \011 (tab), \012 (newline) and \134 or \\ (backslash) in each field.
 */
export const parseMountEntry = (value: string) => {
  const decode = (field: string) =>
    field.replace(/\\(040|011|012|134|\\)/g, (_match, code: string) =>
      code === "040" ? " " : code === "011" ? "\t" : code === "012" ? "\n" : "\\",
    );
  const [source = "", target = "", fstype = "", options = "", ...rest] = value
    .split(/[ \t]+/)
    .filter(Boolean)
    .map(decode);
  return { source, target, fstype, options: options.split(",").filter(Boolean), rest };
};

/** The ids a container's config maps (lxc.idmap lines in order, an empty one clearing those before). */
const idMaps = (entries: readonly { key: string; value: string }[]) => {
  let maps: string[][] = [];
  for (const { key, value } of entries) {
    if (key !== "lxc.idmap") continue;
    if (value === "") maps = [];
    else maps.push(value.split(/[ \t]+/));
  }
  return maps;
};
/** Whether a config maps root (and every id it maps) onto host ids of 65536 and above, for users and groups. */
export const hasIsolatedIdMap = (entries: readonly { key: string; value: string }[]) => {
  const maps = idMaps(entries);
  const isolated = (type: "u" | "g") =>
    maps.some(([kind, inside]) => (kind === type || kind === "b") && inside === "0") &&
    maps.every(([, , start]) => Number(start) >= 65536);
  return maps.length > 0 && isolated("u") && isolated("g");
};

/**
 * Why `key = value` needs the admin role in this container's config, or null when an operator may write it. An
 * allow-list: a key is the operator's only when it is known to act inside the container alone (and for some, with
 * a value of a known safe shape); every other key, known or not, is the admin's. `value` is liblxc's reading
 * (model.ts: quotes stripped), so `""` and `''` are the empty value, which clears a key: clearing is the admin's
 * where it would take a protection away.
 */
export const adminReasonWords = (key: string, rawValue: string, ctx: TPrivilegeContext): TWorded | null => {
  const value = rawValue.trim();
  if (key.startsWith("lxc.hook.") || key === "lxc.hook") return lock("hook");
  const net = /^lxc\.net\.(\d+)\.(.+)$/.exec(key);
  if (net) return networkReason(net[2] ?? "", value);
  if (key === "lxc.net" || /^lxc\.net\.\d+$/.test(key)) return value === "" ? null : lock("netValue");
  switch (key) {
    case "lxc.uts.name":
    case "lxc.arch":
    case "lxc.init.cmd":
    case "lxc.init.cwd":
    case "lxc.init.uid":
    case "lxc.init.gid":
    case "lxc.init.groups":
    case "lxc.execute.cmd":
    case "lxc.ephemeral":
    case "lxc.signal.halt":
    case "lxc.signal.reboot":
    case "lxc.signal.stop":
    case "lxc.start.auto":
    case "lxc.start.delay":
    case "lxc.start.order":
    case "lxc.group":
    case "lxc.tty.max":
    case "lxc.tty.dir":
    case "lxc.pty.max":
    case "lxc.autodev":
    case "lxc.log.level":
    case "lxc.keyring.session":
    case "lxc.sched.core":
    case "lxc.time.offset.boot":
    case "lxc.time.offset.monotonic":
      return null;
    case "lxc.include":
      if (SAFE_COMMON_INCLUDES.has(value)) return null;
      if (USERNS_INCLUDES.has(value)) return null; // only with an isolated id map: checked on the whole config
      return value === "" ? lock("emptyInclude") : lock("include");
    case "lxc.environment":
      return environmentReason(value);
    case "lxc.rootfs.path":
      return isOwnRootfs(value, ctx) ? null : lock("rootfs");
    case "lxc.rootfs.options":
      // The root filesystem mounted with the container's own id map (only with one: checked on the whole config).
      return value === IDMAPPED_ROOTFS ? null : lock("rootfsOptions");
    case "lxc.mount.entry":
      return mountEntryReason(value, ctx);
    case "lxc.mount.auto": {
      if (value === "") return lock("emptyMountAuto");
      const risky = value.split(/[ \t]+/).filter((token) => token && !SAFE_MOUNT_AUTO.has(token));
      return risky.length === 0 ? null : lock("mountAuto", { mounts: risky.join(", ") });
    }
    case "lxc.apparmor.profile":
      return SAFE_APPARMOR.has(value) ? null : lock("apparmor");
    case "lxc.apparmor.allow_incomplete":
    case "lxc.apparmor.allow_nesting":
    case "lxc.seccomp.allow_nesting":
      return value === "0" ? null : lock("confinement");
    case "lxc.seccomp.profile":
      return /^\/usr\/share\/lxc\/config\/[a-z]+(-[a-z]+)*\.seccomp$/.test(value) && !value.includes("..")
        ? null
        : lock("seccompProfile");
    case "lxc.no_new_privs":
      return value === "1" ? null : lock("noNewPrivs");
    case "lxc.cap.drop":
      return value === "" ? lock("emptyCapDrop") : null;
    case "lxc.cap.keep":
      return lock("capKeep");
    case "lxc.console.path":
      return ["", "none", "auto"].includes(value) ? null : lock("console");
    case "lxc.idmap": {
      if (value === "") return lock("emptyIdmap");
      // liblxc reads each number as C does (a leading 0 is octal): only plain decimals are judged here.
      const fields = value.split(/[ \t]+/);
      if (fields.slice(1).some((field) => !/^(0|[1-9]\d{0,9})$/.test(field))) return lock("idmapOctal");
      const [, , start, count] = fields.map(Number);
      if (start === undefined || count === undefined || start < 65536) return lock("idmapHost");
      return count <= 65536 * 16 && start + count <= 2 ** 32 - 1 ? null : lock("idmapTooMany");
    }
    case "lxc.proc.oom_score_adj":
      return /^\d+$/.test(value) && Number(value) <= 1000 ? null : lock("oomScore");
  }
  if (key.startsWith("lxc.proc.")) return lock("proc");
  if (key.startsWith("lxc.prlimit.")) return SAFE_PRLIMIT.test(key) && value !== "" ? null : lock("prlimit");
  if (key.startsWith("lxc.sysctl.net.") && value !== "") return null;
  if (key.startsWith("lxc.sysctl.")) return lock("sysctl");
  if (/^lxc\.cgroup2?\.devices\.allow$/.test(key)) return deviceReason(value);
  if (/^lxc\.cgroup2?\.devices\.deny$/.test(key)) return value === "" ? lock("emptyDeny") : null;
  if (key === "lxc.cgroup" || key === "lxc.cgroup2") return lock("bareCgroup");
  const cgroupFile = /^lxc\.cgroup2?\.(.+)$/.exec(key)?.[1];
  if (cgroupFile !== undefined && !/^dir(\.|$)|^relative$/.test(cgroupFile))
    return SAFE_CGROUP_FILE.test(cgroupFile) ? null : lock("cgroupFile", { file: cgroupFile });
  if (/^lxc\.cgroup\.(dir|relative)/.test(key)) return lock("cgroupDir");
  if (key.startsWith("lxc.namespace.")) return lock("namespace");
  if (key === "lxc.log.file" || key === "lxc.console.logfile") return lock("logFile");
  if (key === "lxc.rootfs.mount") return lock("rootfsMount");
  if (key === "lxc.mount.fstab") return lock("fstab");
  if (key === "lxc.apparmor.raw") return lock("apparmorRaw");
  if (key.startsWith("lxc.selinux.")) return lock("selinux");
  if (key.startsWith("lxc.seccomp.")) return isOff(value) ? null : lock("seccomp");
  return lock("notAllowed", { key });
};

/** Why `key = value` needs the admin role (adminReasonWords), in English; null when an operator may write it. */
export const adminReason = (key: string, rawValue: string, ctx: TPrivilegeContext): string | null =>
  adminReasonWords(key, rawValue, ctx)?.message ?? null;

/** A change's reason: its English and its words. */
const changeReason = (reason: TWorded) => ({ reason: reason.message, reasonWords: wordsOf(reason) });

/**
 * Variables that change what a program run with them does (the dynamic loader, shells, interpreters, glibc, LXC's
 * own hook variables): liblxc sets lxc.environment in the container's first process before it runs the mount and
 * autodev hooks as root on the host, hooks an admin or a package (lxcfs, in common.conf.d) may add at any time.
 */
const RISKY_VARIABLE =
  /^(PATH|IFS|ENV|BASH_ENV|SHELLOPTS|BASHOPTS|PS4|PROMPT_COMMAND|CDPATH|GLOBIGNORE|HOME|SHELL|TMPDIR|GCONV_PATH|LOCPATH|NLSPATH|HOSTALIASES|LOCALDOMAIN|RES_OPTIONS|GLIBC_TUNABLES|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|NODE_OPTIONS|NODE_PATH|OPENSSL_CONF|OPENSSL_ENGINES|SSL_CERT_FILE|SSL_CERT_DIR|POSIXLY_CORRECT|(LD|BASH_FUNC|MALLOC|LUA|LXC|GIT|GIO|GTK|DBUS|SYSTEMD|XDG|SUDO)_.*|(PYTHON|PERL|RUBY|TCL).*)$/i;

const environmentReason = (value: string): TWorded | null => {
  if (value === "") return lock("emptyEnvironment");
  const equals = value.indexOf("=");
  // Without "=", liblxc passes the variable of that name from lxc-start's own (root's) environment.
  if (equals === -1) return lock("inheritedVariable");
  const name = value.slice(0, equals);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return lock("variableName");
  return RISKY_VARIABLE.test(name) ? lock("riskyVariable", { name }) : null;
};

/** An interface key (lxc.net.N.FIELD): only what stays in the container's own veth is the operator's. */
const networkReason = (field: string, value: string): TWorded | null => {
  if (field.startsWith("script.")) return lock("interfaceScript");
  if (!SAFE_NET_FIELDS.has(field))
    return field === "veth.ipv4.route" || field === "veth.ipv6.route"
      ? lock("hostRoute")
      : field === "l2proxy"
        ? lock("l2proxy")
        : lock("hostSide", { field });
  if (field === "type" && !["veth", "empty", ""].includes(value))
    return value === "none"
      ? lock("typeNone")
      : value === "phys"
        ? lock("typePhys")
        : lock("typeDirect", { type: value });
  return null;
};

const deviceReason = (value: string): TWorded | null => {
  if (value === "") return lock("emptyDeviceRule");
  const [type, id, access = "rwm", ...rest] = value.split(/[ \t]+/);
  if (rest.length > 0) return lock("hostDevice", { device: id ?? value });
  // Permission to create a node (m) without reading or writing it is what LXC's own common.conf grants.
  if ((type === "c" || type === "b") && access === "m") return null;
  if (type === "a") return lock("everyDevice");
  if (type === "b") return lock("blockDevice");
  if (type === "c" && id && SAFE_DEVICES.has(id)) return null;
  return lock("hostDeviceNotSafe", { device: id ?? value });
};

const mountEntryReason = (value: string, ctx: TPrivilegeContext): TWorded | null => {
  if (value === "") return lock("emptyMountEntry");
  const { source, target, fstype, options, rest } = parseMountEntry(value);
  if (target === "" || rest.length > 2) return lock("notMountEntry");
  if (target.startsWith("/") || target.split("/").includes("..")) return lock("mountPoint");
  if (options.some((option) => option.startsWith("create="))) return lock("createOption");
  const refused = options.filter((option) => !SAFE_MOUNT_OPTION.test(option));
  if (refused.length > 0) return lock("mountOptions", { options: refused.join(", ") });
  if (options.includes("bind") || options.includes("rbind")) {
    if (ctx.bindRoots.length === 0) return lock("noBindRoots");
    return isInBindRoots(source, ctx.bindRoots)
      ? null
      : lock("outsideBindRoots", { source, roots: ctx.bindRoots.join(", ") });
  }
  if (source.startsWith("/")) return lock("hostMount");
  return SAFE_FSTYPES.has(fstype) ? null : lock("fsType", { fstype: fstype || "?" });
};

/**
 * Reasons that depend on the whole config, not one line: a userns include needs an isolated id map; a variable
 * reaches host-side hooks (LD_PRELOAD, PATH); a line liblxc would read otherwise is never the operator's.
 */
const NO_ROOTS: TPrivilegeContext = { lxcPath: "/", name: "", bindRoots: [] };
const wholeConfigReason = (
  entry: { key: string; value: string },
  entries: readonly { key: string; value: string }[],
): TWorded | null => {
  const net = /^lxc\.net\.(\d+)\.(.+)$/.exec(entry.key);
  if (net) {
    const index = Number(net[1]);
    const sameInterface = entries.filter(
      (other) => Number(/^lxc\.net\.(\d+)\./.exec(other.key)?.[1] ?? -1) === index,
    );
    if (net[2] === "type") {
      // liblxc clears the whole interface at each type line: what an admin wrote before it would be gone.
      const position = entries.indexOf(entry);
      const wiped = sameInterface.find(
        (other) =>
          entries.indexOf(other) < position && adminReason(other.key, other.value, NO_ROOTS) !== null,
      );
      if (wiped) return lock("typeReset", { index: String(index), key: wiped.key });
    } else {
      const type = sameInterface.filter((other) => /\.type$/.test(other.key)).at(-1)?.value ?? "";
      if (!["veth", "empty", ""].includes(type)) return lock("hostInterface", { index: String(index), type });
    }
  }
  if (entry.key === "lxc.include" && USERNS_INCLUDES.has(entry.value) && !hasIsolatedIdMap(entries))
    return lock("usernsInclude");
  // Without an isolated map, container root would be host root on a root filesystem it can write as host root.
  if (
    entry.key === "lxc.rootfs.options" &&
    entry.value.trim() === IDMAPPED_ROOTFS &&
    !hasIsolatedIdMap(entries)
  )
    return lock("idmappedRootfsWithoutMap");
  if (
    entry.key === "lxc.environment" &&
    entries.some((other) => other.key.startsWith("lxc.hook") || /^lxc\.net\.\d+\.script\./.test(other.key))
  )
    return lock("hookEnvironment");
  return null;
};

/** Lines whose removal takes a protection away: only an admin may remove them. */
export const PROTECTIVE_KEYS: ReadonlySet<string> = new Set([
  "lxc.cap.drop",
  "lxc.include",
  "lxc.idmap",
  "lxc.seccomp.profile",
  "lxc.cgroup.devices.deny",
  "lxc.cgroup2.devices.deny",
]);

const counted = (entries: { key: string; value: string }[]) => {
  const counts = new Map<string, number>();
  for (const { key, value } of entries) {
    const id = `${key}=${value}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
};

/**
 * The capabilities a config drops, read in order as liblxc does: an empty lxc.cap.drop (or an included userns
 * file, which holds one) clears those dropped before it.
 */
const droppedCaps = (entries: readonly { key: string; value: string }[]) => {
  let caps = new Set<string>();
  for (const { key, value } of entries) {
    if (key === "lxc.include" && USERNS_INCLUDES.has(value)) caps = new Set();
    if (key !== "lxc.cap.drop") continue;
    if (value === "") caps = new Set();
    for (const cap of value.split(/[ \t]+/).filter(Boolean)) caps.add(cap.toLowerCase());
  }
  return caps;
};

/** Each entry named by its text and its occurrence (the second `lxc.cap.drop = x` is `lxc.cap.drop=x#2`). */
const identify = (entries: readonly TConfigEntry[]) => {
  const seen = new Map<string, number>();
  return entries.map((entry) => {
    const base = `${entry.key}=${entry.value}`;
    const index = (seen.get(base) ?? 0) + 1;
    seen.set(base, index);
    return { ...entry, id: `${base}#${index}` };
  });
};

/**
 * Why a config's lines are the admin's, line by line (1-based): each line's own reason, those that depend on the
 * whole config, and the lines liblxc would read otherwise than Atelier.
 */
const reasonsOf = (config: LxcConfig, text: string, ctx: TPrivilegeContext) => {
  const entries = config.entries();
  const reasons = new Map<number, { key: string; value: string; reason: TWorded }>();
  for (const entry of entries) {
    const reason = adminReasonWords(entry.key, entry.value, ctx) ?? wholeConfigReason(entry, entries);
    if (reason !== null) reasons.set(entry.line, { key: entry.key, value: entry.value, reason });
  }
  for (const { line, key: _key, ...reason } of divergences(text))
    reasons.set(line, { key: "(line)", value: "", reason });
  return reasons;
};

/**
 * What an operator may not do when `before` becomes `after`: every admin-only line that is new (or changed), every
 * admin-only line moved past a line it acts on (a clearing line or an include placed after other lines clears
 * them), every protection removed, and every dropped capability the container would keep. Empty when the change
 * is the operator's to make.
 */
export const privilegedChanges = (
  before: string,
  after: string,
  ctx: TPrivilegeContext,
): TPrivilegedChange[] => {
  const old = LxcConfig.parse(before);
  const next = LxcConfig.parse(after);
  const oldEntries = identify(old.entries());
  const nextEntries = identify(next.entries());
  const oldCounts = counted(oldEntries);
  const nextCounts = counted(nextEntries);
  const problems: TPrivilegedChange[] = [];
  const nextReasons = reasonsOf(next, after, ctx);
  const seen = new Map<string, number>();
  const divergent = new Set(divergences(after).map((problem) => problem.line));
  for (const [line, { key, value, reason: words }] of nextReasons) {
    const reason = { reason: words.message, reasonWords: wordsOf(words) };
    if (divergent.has(line)) {
      problems.push({ line, key: "(line)", value: "", kind: "added", ...reason });
      continue;
    }
    const id = `${key}=${value}`;
    const index = (seen.get(id) ?? 0) + 1;
    seen.set(id, index);
    if (index > (oldCounts.get(id) ?? 0)) problems.push({ line, key, value, kind: "added", ...reason });
  }
  // An admin-only line kept, but moved after lines it was before (in the old text): it may now clear them.
  const oldPosition = new Map(oldEntries.map((entry, position) => [entry.id, position]));
  const oldReasons = reasonsOf(old, before, ctx);
  nextEntries.forEach((entry, position) => {
    const was = oldPosition.get(entry.id);
    if (was === undefined || !nextReasons.has(entry.line) || !oldReasons.has(oldEntries[was]?.line ?? -1))
      return;
    // What a line can act on: an include, anything; another line, the keys of its own group and the protections.
    const actsOn = (other: TConfigEntry) =>
      entry.key === "lxc.include" ||
      PROTECTIVE_KEYS.has(other.key) ||
      groupOf(other.key) === groupOf(entry.key);
    const passed = nextEntries
      .slice(0, position)
      .find((earlier) => (oldPosition.get(earlier.id) ?? -1) > was && actsOn(earlier));
    if (passed)
      problems.push({
        line: entry.line,
        key: entry.key,
        value: entry.value,
        kind: "added",
        ...changeReason(lock("movedAfter", { key: passed.key, value: passed.value.slice(0, 60) })),
      });
  });
  const removedSeen = new Map<string, number>();
  // A container moved from one isolated id map to another (a clone given its own range) keeps the protection.
  const stillIsolated = hasIsolatedIdMap(nextEntries);
  for (const entry of oldEntries) {
    if (!PROTECTIVE_KEYS.has(entry.key) || entry.key === "lxc.cap.drop") continue;
    if (entry.key === "lxc.idmap" && stillIsolated) continue;
    const id = `${entry.key}=${entry.value}`;
    const index = (removedSeen.get(id) ?? 0) + 1;
    removedSeen.set(id, index);
    if (index > (nextCounts.get(id) ?? 0))
      problems.push({
        line: entry.line,
        key: entry.key,
        value: entry.value,
        kind: "removed",
        ...changeReason(lock("removesProtection")),
      });
  }
  // In a container whose ids are mapped, capabilities are its user namespace's (userns.conf drops none).
  const nextCaps = droppedCaps(nextEntries);
  const gained = hasIsolatedIdMap(nextEntries)
    ? []
    : [...droppedCaps(oldEntries)].filter((cap) => !nextCaps.has(cap));
  if (gained.length > 0) {
    const line = old.entries().find((entry) => entry.key === "lxc.cap.drop")?.line ?? 1;
    problems.push({
      line,
      key: "lxc.cap.drop",
      value: gained.join(" "),
      kind: "removed",
      ...changeReason(lock("keepsCapabilities", { caps: gained.join(", ") })),
    });
  }
  return problems.sort((a, b) => a.line - b.line);
};

/** The lines of a config that an operator sees locked (admin-only), each with why. */
export const lockedLines = (raw: string, ctx: TPrivilegeContext) =>
  [...reasonsOf(LxcConfig.parse(raw), raw, ctx)]
    .map(([line, { key, reason }]) => ({ line, key, reason: reason.message, reasonWords: wordsOf(reason) }))
    .sort((a, b) => a.line - b.line);

/** The sentence of a refusal: the first offending line, and how many more. */
export const describePrivilegedChanges = (changes: TPrivilegedChange[]) => {
  const [first] = changes;
  if (!first) return "";
  const what =
    first.kind === "added"
      ? `line ${first.line} (${first.key} = ${first.value.slice(0, 120)}) needs the admin role: ${first.reason}`
      : `removing ${first.key} = ${first.value.slice(0, 120)} (line ${first.line} of the current config) needs the admin role: ${first.reason}`;
  return changes.length > 1 ? `${what} (and ${changes.length - 1} more)` : what;
};

/**
 * The config as a viewer may read it: the values of `lxc.environment` (where passwords and API keys are passed to
 * the container's init) replaced by `[redacted]`; the variable's name stays.
 */
export const redactSecrets = (raw: string) =>
  raw.replace(
    // Commented-out lines too (an old password left in a comment); `$` and `^` also match at "\r".
    /^([ \t]*(?:#[ \t#]*)?lxc\.environment[ \t]*=[ \t]*)([^=\n\r]*)=([^\n\r]*)$/gm,
    (_line, head: string, name: string) => `${head}${name}=[redacted]`,
  );
