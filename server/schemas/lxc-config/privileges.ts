import { LxcConfig } from "./model";

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
  reason: string;
};

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
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A rootfs an operator may name: the container's own, or the layers of snapshots and overlay clones in the lxcpath. */
const isOwnRootfs = (value: string, ctx: TPrivilegeContext) => {
  const lxc = normalisePath(ctx.lxcPath);
  if (!lxc) return false;
  const layer = new RegExp(
    `^${escape(lxc === "/" ? "" : lxc)}/${NAME}/(rootfs|overlay/delta|snaps/snap\\d+/rootfs|snaps/snap\\d+/delta0)$`,
  );
  const own = `${lxc === "/" ? "" : lxc}/${ctx.name}/rootfs`;
  const plain = value.replace(/^dir:/, "");
  if (normalisePath(plain) === plain && plain === own) return true;
  const overlay = /^overlayf?s?:([^:]+):([^:]+)$/.exec(value);
  if (!overlay?.[1] || !overlay[2]) return false;
  return [overlay[1], overlay[2]].every((part) => normalisePath(part) === part && layer.test(part));
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
/** LXC's own shipped base configs (common, userns; per distribution), never nesting.conf or other loosenings. */
const SAFE_INCLUDE = /^\/usr\/share\/lxc\/config\/([a-z]+(-[a-z]+)*\.)?(common|userns)\.conf$/;
/** cgroup files a limit may be written to; others (cgroup.procs, devices.*, …) are the admin's. */
const SAFE_CGROUP_FILE = /^(memory|cpu|cpuset|cpuacct|pids|blkio|io|hugetlb)\.[A-Za-z0-9_.]+$/;
/** Pseudo filesystems an operator may mount (none reaches host state). */
const SAFE_FSTYPES = new Set(["tmpfs", "devpts", "mqueue"]);
const isOff = (value: string) => value === "" || value === "0";

/**
 * Why `key = value` needs the admin role in this container's config, or null when an operator may write it.
 * (The empty value of a list key clears it: for capabilities that is a loosening too.)
 */
export const adminReason = (key: string, rawValue: string, ctx: TPrivilegeContext): string | null => {
  const value = rawValue.trim();
  if (key.startsWith("lxc.hook.")) return "a hook runs as root on the host";
  if (/^lxc\.net\.\d+\.script\./.test(key)) return "an interface script runs as root on the host";
  if (/^lxc\.net\.\d+\.type$/.test(key) && (value === "phys" || value === "none"))
    return value === "none"
      ? "type none shares the host's own network namespace"
      : "type phys moves a host network interface into the container";
  if (key === "lxc.include")
    return SAFE_INCLUDE.test(value) ? null : "an included file can hold any key, hooks included";
  if (key === "lxc.rootfs.path")
    return isOwnRootfs(value, ctx)
      ? null
      : "a root filesystem outside the container's own directory exposes that host path";
  if (key === "lxc.rootfs.mount") return "sets where the host mounts the root filesystem";
  if (key === "lxc.mount.fstab") return "an fstab file can mount any host path";
  if (key === "lxc.mount.entry") return mountEntryReason(value, ctx);
  if (key === "lxc.mount.auto") {
    const risky = value.split(/\s+/).filter((token) => token && !SAFE_MOUNT_AUTO.has(token));
    return risky.length === 0
      ? null
      : `${risky.join(", ")} mounts kernel interfaces writable (a way to host root)`;
  }
  if (key === "lxc.apparmor.profile")
    return SAFE_APPARMOR.has(value) ? null : "only LXC's confining AppArmor profiles are the operator's";
  if (key === "lxc.apparmor.allow_incomplete" || key === "lxc.apparmor.allow_nesting")
    return isOff(value) ? null : "loosens the AppArmor confinement";
  if (key === "lxc.apparmor.raw") return "adds raw AppArmor rules";
  if (key.startsWith("lxc.selinux.")) return "sets the SELinux context";
  if (key === "lxc.seccomp.profile")
    return /^\/usr\/share\/lxc\/config\/[a-z]+(-[a-z]+)*\.seccomp$/.test(value)
      ? null
      : "replaces the seccomp filter with a host file (only LXC's own profiles are the operator's)";
  if (key.startsWith("lxc.seccomp.")) return isOff(value) ? null : "loosens the seccomp filter";
  if (key === "lxc.cap.keep") return "keeps capabilities LXC would drop";
  if (key === "lxc.cap.drop" && value === "") return "an empty lxc.cap.drop clears the dropped capabilities";
  if (/^lxc\.cgroup2?\.devices\.allow$/.test(key)) return deviceReason(value);
  if (/^lxc\.cgroup2?\.devices\.deny$/.test(key))
    return value === "" ? "an empty device rule clears the deny rules" : null;
  if (/^lxc\.cgroup\.dir(\.|$)/.test(key) || key === "lxc.cgroup.relative")
    return "places the container's cgroups elsewhere in the host's tree";
  const cgroupFile = /^lxc\.cgroup2?\.(.+)$/.exec(key)?.[1];
  if (cgroupFile !== undefined && !SAFE_CGROUP_FILE.test(cgroupFile))
    return `writes the cgroup file ${cgroupFile}`;
  if (key === "lxc.namespace.keep" || key.startsWith("lxc.namespace.share.") || key === "lxc.namespace.clone")
    return "shares or keeps the host's namespaces";
  if (key.startsWith("lxc.sysctl.") && !key.startsWith("lxc.sysctl.net."))
    return "a kernel setting outside the network namespace is the host's (kernel.core_pattern runs a program as root)";
  if (key === "lxc.log.file" || key === "lxc.console.logfile") return "writes a file at a host path";
  if (key === "lxc.console.path" && !["", "none", "auto"].includes(value))
    return "connects the console to a host device";
  if (key === "lxc.idmap") {
    const [, , start, count] = value.split(/\s+/).map(Number);
    return start !== undefined && count !== undefined && start >= 65536
      ? null
      : "maps the container's ids onto the host's own users (below 65536)";
  }
  return null;
};

const deviceReason = (value: string): string | null => {
  if (value === "") return "an empty device rule clears the rules";
  const [type, id, access = "rwm"] = value.split(/\s+/);
  // Permission to create a node (m) without reading or writing it is what LXC's own common.conf grants.
  if ((type === "c" || type === "b") && access === "m") return null;
  if (type === "a") return "allows every device";
  if (type === "b") return "allows a block device (the host's disks)";
  if (type === "c" && id && SAFE_DEVICES.has(id)) return null;
  return `allows the host device ${id ?? value} (only null, zero, full, random, urandom, tty, console, ptmx, pts, fuse and tun are the operator's)`;
};

const mountEntryReason = (value: string, ctx: TPrivilegeContext): string | null => {
  const [source = "", target = "", fstype = "", options = ""] = value.split(/\s+/);
  const flags = options.split(",");
  if (target.startsWith("/") || target.split("/").includes(".."))
    return "the mount point must be a path inside the container";
  if (flags.includes("bind") || flags.includes("rbind")) {
    if (ctx.bindRoots.length === 0)
      return "bind mounts from the host are the admin's (no ATELIER_BIND_ROOTS)";
    return isInBindRoots(source, ctx.bindRoots)
      ? null
      : `${source} is outside the directories operators may bind-mount from (${ctx.bindRoots.join(", ")})`;
  }
  if (source.startsWith("/")) return "mounts a host device or path";
  return SAFE_FSTYPES.has(fstype) ? null : `a ${fstype || "?"} mount reaches host state`;
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
    const id = `${key}=${value.trim()}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
};

const droppedCaps = (config: LxcConfig) =>
  new Set(
    config
      .entries()
      .filter((entry) => entry.key === "lxc.cap.drop")
      .flatMap((entry) => entry.value.trim().split(/\s+/).filter(Boolean)),
  );

/**
 * What an operator may not do when `before` becomes `after`: every admin-only line that is new (or changed), and
 * every protection removed. Empty when the change is the operator's to make.
 */
export const privilegedChanges = (
  before: string,
  after: string,
  ctx: TPrivilegeContext,
): TPrivilegedChange[] => {
  const old = LxcConfig.parse(before);
  const next = LxcConfig.parse(after);
  const oldCounts = counted(old.entries());
  const nextCounts = counted(next.entries());
  const problems: TPrivilegedChange[] = [];
  const seen = new Map<string, number>();
  for (const entry of next.entries()) {
    const reason = adminReason(entry.key, entry.value, ctx);
    // Only null means "the operator's": any reason, even an empty one, refuses.
    if (reason === null) continue;
    const id = `${entry.key}=${entry.value.trim()}`;
    const index = (seen.get(id) ?? 0) + 1;
    seen.set(id, index);
    if (index > (oldCounts.get(id) ?? 0))
      problems.push({ line: entry.line, key: entry.key, value: entry.value.trim(), kind: "added", reason });
  }
  const removedSeen = new Map<string, number>();
  for (const entry of old.entries()) {
    if (!PROTECTIVE_KEYS.has(entry.key) || entry.key === "lxc.cap.drop") continue;
    const id = `${entry.key}=${entry.value.trim()}`;
    const index = (removedSeen.get(id) ?? 0) + 1;
    removedSeen.set(id, index);
    if (index > (nextCounts.get(id) ?? 0))
      problems.push({
        line: entry.line,
        key: entry.key,
        value: entry.value.trim(),
        kind: "removed",
        reason: "removing it takes a protection away",
      });
  }
  const nextCaps = droppedCaps(next);
  const gained = [...droppedCaps(old)].filter((cap) => !nextCaps.has(cap));
  if (gained.length > 0) {
    const line = old.entries().find((entry) => entry.key === "lxc.cap.drop")?.line ?? 1;
    problems.push({
      line,
      key: "lxc.cap.drop",
      value: gained.join(" "),
      kind: "removed",
      reason: `the container would keep ${gained.join(", ")}`,
    });
  }
  return problems.sort((a, b) => a.line - b.line);
};

/** The lines of a config that an operator sees locked (admin-only), each with why. */
export const lockedLines = (raw: string, ctx: TPrivilegeContext) =>
  LxcConfig.parse(raw)
    .entries()
    .flatMap((entry) => {
      const reason = adminReason(entry.key, entry.value, ctx);
      return reason === null ? [] : [{ line: entry.line, key: entry.key, reason }];
    });

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
    /^([ \t]*lxc\.environment[ \t]*=[ \t]*)([^=\n]*)=([^\n]*)$/gm,
    (_line, head: string, name: string) => `${head}${name}=[redacted]`,
  );
