import { constants } from "node:fs";
import { open, readdir, readFile, readlink, stat, statfs } from "node:fs/promises";
import { release } from "node:os";
import path from "node:path";
import { parseCgroupMounts, type TCgroupMount } from "../../metrics/parse";
import type { TIdPool } from "../../schemas/idmap";
import { LxcConfig } from "../../schemas/lxc-config/model";
import type { THostReadiness, TReadinessCheck } from "../contract/host";
import { run } from "../run/runner";
import { ensureRootSubids } from "../subids";
import { checksFromCheckconfig, parseCheckconfig } from "./checkconfig";

/**
 * Everything the readiness page says of this host, as root reads it (the contract: ../contract/host.ts). Nothing
 * here changes the host: lxc-checkconfig and lxc-config are read-only, the rest reads /proc, /sys and files.
 * `hostRoot` is where /etc is (ATELIER_HOST_ROOT); /proc and /sys are always the machine's own.
 */
export type TReadinessSettings = {
  lxcPath: string;
  hostRoot: string;
  /** ATELIER_CONTAINER_CONFIG: the config new containers get, when set (else LXC's default config). */
  containerConfig?: string;
  idPool: TIdPool;
};

const SECOND = 1000;
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

const readSmall = async (file: string, max = 1024 * 1024) => {
  // O_NONBLOCK: a FIFO put in a file's place cannot hang the helper.
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK).catch(() => null);
  if (!handle) return null;
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > max) return null;
    return await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
};
const exists = async (file: string) => (await stat(file).catch(() => null)) !== null;

const check = (
  fields: Omit<TReadinessCheck, "fix" | "safeFix" | "params"> & Partial<TReadinessCheck>,
): TReadinessCheck => ({ params: {}, fix: null, safeFix: null, ...fields });

/** lxc-checkconfig's report, or the one problem it had (no kernel configuration to read). */
const kernelChecks = async () => {
  const result = await run("lxc-checkconfig", [], { timeoutMs: 30 * SECOND, package: "lxc" });
  const report = parseCheckconfig(result.stdout);
  const checks = checksFromCheckconfig(report);
  if (result.exitCode !== 0 && report.lines.length === 0) {
    const said = result.stderr.split("\n").find((line) => line.trim() !== "") ?? `exit ${result.exitCode}`;
    checks.push(
      check({
        id: "kernel.config",
        group: "kernel",
        status: "warning",
        label: "Kernel configuration",
        seen: said.slice(0, 500),
        key: "kernelConfig",
        fix: { kind: "command", text: "modprobe configs", file: null },
      }),
    );
  }
  return { report, checks };
};

type TLayout = THostReadiness["cgroup"]["layout"];

// Options of a v1 cgroup mount that are not controllers.
const MOUNT_OPTIONS = new Set(["xattr", "noprefix", "clone_children", "cpuset_v2_mode", "nsdelegate"]);

/** Which cgroup layout this is, and the controllers a container's group gets in it. */
export const cgroupLayoutOf = (
  mounts: TCgroupMount[],
  v2Controllers: (mountPoint: string) => Promise<string[]>,
): Promise<{ layout: TLayout; controllers: string[]; mountPoint: string | null }> => {
  const v1 = mounts.filter(
    (mount) => mount.version === 1 && mount.controllers.some((option) => !MOUNT_OPTIONS.has(option)),
  );
  const v2 = mounts.find((mount) => mount.version === 2);
  if (v1.length > 0)
    return Promise.resolve({
      layout: v2 ? "hybrid" : "v1",
      controllers: [...new Set(v1.flatMap((mount) => mount.controllers))]
        .filter((controller) => !MOUNT_OPTIONS.has(controller))
        .sort(),
      mountPoint: null,
    });
  if (!v2) return Promise.resolve({ layout: "none", controllers: [], mountPoint: null });
  return v2Controllers(v2.mountPoint).then((controllers) => ({
    layout: "v2" as const,
    controllers: [...controllers].sort(),
    mountPoint: v2.mountPoint,
  }));
};

/** What containers lose without a controller: asked of every layout (io is blkio on v1, freezer built in on v2). */
const WANTED = {
  v1: ["cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "devices", "freezer"],
  v2: ["cpu", "cpuset", "memory", "pids", "io"],
} as const;

const cgroupChecks = async () => {
  const mounts = parseCgroupMounts((await readSmall("/proc/self/mountinfo", 16 * MIB)) ?? "");
  const { layout, controllers, mountPoint } = await cgroupLayoutOf(mounts, async (point) =>
    ((await readSmall(path.join(point, "cgroup.controllers"))) ?? "").trim().split(/\s+/).filter(Boolean),
  );
  const checks: TReadinessCheck[] = [
    check({
      id: "cgroup.layout",
      group: "cgroups",
      status: layout === "none" ? "problem" : "ok",
      label: "Cgroup layout",
      seen: layout,
      key: "cgroupLayout",
      params: { layout },
      ...(layout === "none"
        ? { fix: { kind: "command", text: "mount -t cgroup2 cgroup2 /sys/fs/cgroup", file: null } }
        : {}),
    }),
  ];
  if (layout !== "none") {
    const wanted: readonly string[] = layout === "v2" ? WANTED.v2 : WANTED.v1;
    const missing = wanted.filter((controller) => !controllers.includes(controller));
    checks.push(
      check({
        id: "cgroup.controllers",
        group: "cgroups",
        status: missing.length === 0 ? "ok" : "warning",
        label: "Cgroup controllers",
        seen: controllers.join(" ") || "–",
        key: "cgroupControllers",
        params: { controllers: controllers.join(" "), missing: missing.join(" "), layout },
        fix:
          missing.length === 0
            ? null
            : layout === "v2"
              ? // Not in the root's cgroup.controllers: the kernel was built without them.
                { kind: "kernelConfig", text: missing.map(kernelOptionOf).join("\n"), file: null }
              : {
                  kind: "command",
                  text: missing
                    .map(
                      (controller) =>
                        `mkdir -p /sys/fs/cgroup/${controller} && mount -t cgroup -o ${controller} cgroup /sys/fs/cgroup/${controller}`,
                    )
                    .join("\n"),
                  file: null,
                },
      }),
    );
  }
  return { layout, controllers, mountPoint, checks };
};

const kernelOptionOf = (controller: string) =>
  `${
    {
      cpu: "CONFIG_CGROUP_SCHED",
      cpuset: "CONFIG_CPUSETS",
      memory: "CONFIG_MEMCG",
      pids: "CONFIG_CGROUP_PIDS",
      io: "CONFIG_BLK_CGROUP",
    }[controller] ?? `CONFIG_CGROUP_${controller.toUpperCase()}`
  }=y`;

const subidChecks = async ({ hostRoot, idPool }: TReadinessSettings): Promise<TReadinessCheck[]> => {
  const files = await ensureRootSubids(hostRoot, idPool, { dryRun: true });
  const line = files[0]?.line ?? "";
  const missing = files.filter((file) => file.state === "missing");
  const conflicts = files.filter((file) => file.state === "conflict");
  const problems = files.filter((file) => file.problem);
  const seen = files.map((file) => `${path.basename(file.file)}: ${file.state}`).join(", ");
  const status = missing.length + conflicts.length === 0 ? "ok" : "problem";
  // One click only where appending root's line is all it takes (no overlap, no line the helper cannot judge).
  const isSafe = missing.length > 0 && conflicts.length === 0 && problems.length === 0;
  return [
    check({
      id: "subids",
      group: "ids",
      status,
      label: "Root's subordinate ids",
      seen,
      key: "subids",
      params: {
        line,
        state: conflicts.length > 0 ? "conflict" : missing.length > 0 ? "missing" : "granted",
        files: [...missing, ...conflicts].map((file) => file.file).join(", "),
        conflict: conflicts.map((file) => file.conflict ?? "").join(", "),
        problem: [...conflicts, ...missing].map((file) => file.problem ?? "").find(Boolean) ?? "",
      },
      fix:
        status === "ok"
          ? null
          : {
              kind: "line",
              text: line,
              file: [...missing, ...conflicts].map((file) => file.file).join(", "),
            },
      safeFix: isSafe
        ? { id: "subids", changes: missing.map((file) => `append "${file.line}" to ${file.file}`) }
        : null,
    }),
  ];
};

const securityChecks = async (): Promise<TReadinessCheck[]> => {
  const apparmor = ((await readSmall("/sys/module/apparmor/parameters/enabled")) ?? "").trim();
  const isEnabled = apparmor === "Y";
  const hasParser = (await exists("/sbin/apparmor_parser")) || (await exists("/usr/sbin/apparmor_parser"));
  const status = await readSmall("/proc/self/status");
  const seccomp = /^Seccomp:\s*(\d)/m.exec(status ?? "")?.[1] ?? null;
  return [
    check({
      id: "apparmor",
      group: "security",
      // Enabled without its parser: LXC cannot load a container's generated profile, so the start fails.
      status: !isEnabled ? "info" : hasParser ? "ok" : "problem",
      label: "AppArmor",
      seen: !isEnabled ? "not enabled" : hasParser ? "enabled" : "enabled, apparmor_parser missing",
      key: "apparmor",
      params: { state: !isEnabled ? "off" : hasParser ? "on" : "noParser" },
      fix: isEnabled && !hasParser ? { kind: "command", text: "apt-get install apparmor", file: null } : null,
    }),
    check({
      id: "seccomp",
      group: "security",
      status: seccomp === null ? "warning" : "ok",
      label: "Seccomp",
      seen: seccomp === null ? "not supported" : "supported",
      key: "seccomp",
      params: { state: seccomp === null ? "off" : "on" },
      fix: seccomp === null ? { kind: "kernelConfig", text: "CONFIG_SECCOMP_FILTER=y", file: null } : null,
    }),
  ];
};

const overlayCheck = async (kernel: string): Promise<TReadinessCheck> => {
  const filesystems = (await readSmall("/proc/filesystems")) ?? "";
  const isLoaded = /\boverlay$/m.test(filesystems);
  const hasModule = await exists(`/lib/modules/${kernel}/kernel/fs/overlayfs`);
  return check({
    id: "overlayfs",
    group: "storage",
    status: isLoaded || hasModule ? "ok" : "warning",
    label: "OverlayFS",
    seen: isLoaded ? "enabled" : hasModule ? "module, not loaded" : "missing",
    key: "overlay",
    params: { state: isLoaded ? "on" : hasModule ? "module" : "off" },
    fix: isLoaded || hasModule ? null : { kind: "kernelConfig", text: "CONFIG_OVERLAY_FS=y", file: null },
  });
};

// What `ip link add name X` takes (the kernel's IFNAMSIZ, no slash or space): anything else is not a device name.
const INTERFACE_NAME = /^[A-Za-z0-9_.:-]{1,15}$/;

/** The config new containers get, and where it is: Atelier's own (ATELIER_CONTAINER_CONFIG) or LXC's default one. */
const defaultConfig = async ({ containerConfig, hostRoot }: TReadinessSettings) => {
  if (containerConfig) return containerConfig;
  const result = await run("lxc-config", ["lxc.default_config"], { timeoutMs: 10 * SECOND, package: "lxc" });
  const file = result.stdout.trim();
  return file.startsWith("/") ? path.join(hostRoot, file) : null;
};

/** The last value of a key in a config's text (liblxc keeps the last of a single-valued key). */
/** A key's last value in a config, read as liblxc reads it (the project's one config reader). */
const lastValue = (text: string, key: string) => {
  let value: string | null = null;
  for (const entry of LxcConfig.parse(text).entries()) if (entry.key === key) value = entry.value;
  return value;
};

export const bridgeCheck = async (settings: TReadinessSettings): Promise<TReadinessCheck> => {
  const file = await defaultConfig(settings);
  const text = file ? await readSmall(file) : null;
  const base = {
    id: "default-bridge",
    group: "network" as const,
    label: "Default bridge",
    key: "defaultBridge",
  };
  if (text === null)
    return check({
      ...base,
      status: "warning",
      seen: "no default config",
      params: { state: "noConfig", file: file ?? "", bridge: "" },
      fix: file ? { kind: "line", text: "lxc.net.0.type = veth", file } : null,
    });
  const where = file ?? "";
  const type = lastValue(text, "lxc.net.0.type");
  const link = lastValue(text, "lxc.net.0.link") ?? "";
  if (type === null || type === "empty" || type === "none" || link === "")
    return check({
      ...base,
      status: "info",
      seen: "none",
      params: { state: "noBridge", file: where, bridge: "" },
    });
  if (!INTERFACE_NAME.test(link) || link === "." || link === "..")
    return check({
      ...base,
      status: "problem",
      seen: link.slice(0, 100),
      params: { state: "badName", file: where, bridge: link.slice(0, 100) },
    });
  const isPresent = await exists(`/sys/class/net/${link}`);
  const isBridge = await exists(`/sys/class/net/${link}/bridge`);
  const needsBridge = type === "veth";
  const state = !isPresent ? "missing" : needsBridge && !isBridge ? "notBridge" : "present";
  return check({
    ...base,
    status: state === "present" ? "ok" : "problem",
    seen: link,
    params: { state, file: where, bridge: link, type },
    fix:
      state !== "missing"
        ? null
        : link === "lxcbr0"
          ? // Debian's lxc-net makes lxcbr0 (with DHCP and NAT) when told to.
            { kind: "line", text: 'USE_LXC_BRIDGE="true"', file: "/etc/default/lxc-net" }
          : {
              kind: "command",
              text: `ip link add name ${link} type bridge && ip link set ${link} up`,
              file: null,
            },
  });
};

export const spaceCheck = async (lxcPath: string): Promise<TReadinessCheck> => {
  const base = {
    id: "lxcpath-space",
    group: "storage" as const,
    label: "lxcpath space",
    key: "lxcpathSpace",
  };
  const info = await statfs(lxcPath).catch(() => null);
  if (!info)
    return check({
      ...base,
      status: "problem",
      seen: "missing",
      params: { state: "missing", path: lxcPath, free: 0, total: 0, inodesFree: 0, inodes: 0 },
      fix: { kind: "command", text: `mkdir -p ${lxcPath}`, file: null },
    });
  const free = info.bavail * info.bsize;
  const total = info.blocks * info.bsize;
  const lowSpace = free < 512 * MIB ? "problem" : free < 2 * GIB || free < total / 10 ? "warning" : "ok";
  // Filesystems without an inode table (btrfs) report 0 inodes: nothing to run out of.
  const lowInodes =
    info.files === 0 ? "ok" : info.ffree < 1000 ? "problem" : info.ffree < info.files / 20 ? "warning" : "ok";
  const rank = { ok: 0, warning: 1, problem: 2 } as const;
  const status = rank[lowSpace] >= rank[lowInodes] ? lowSpace : lowInodes;
  return check({
    ...base,
    status,
    seen: `${(free / GIB).toFixed(1)} GiB free of ${(total / GIB).toFixed(1)} GiB, ${info.ffree} of ${info.files} inodes free`,
    params: {
      state: status === "ok" ? "ok" : rank[lowSpace] >= rank[lowInodes] ? "space" : "inodes",
      path: lxcPath,
      free,
      total,
      inodesFree: info.ffree,
      inodes: info.files,
    },
  });
};

/**
 * Whether an lxc-monitord runs for the lxcpath (its argv: lxc-monitord LXCPATH FD), root's, in the host's process
 * namespace: a container's process may give itself any command line, and would otherwise pass for it.
 */
export const monitordCheck = async (lxcPath: string): Promise<TReadinessCheck> => {
  const ownPidNamespace = await readlink("/proc/self/ns/pid").catch(() => null);
  let isRunning = false;
  for (const entry of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = (await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "")).split("\0");
    if (path.basename(argv[0] ?? "") !== "lxc-monitord" || argv[1] !== lxcPath) continue;
    const [namespace, info] = await Promise.all([
      readlink(`/proc/${entry}/ns/pid`).catch(() => null),
      stat(`/proc/${entry}`).catch(() => null),
    ]);
    if (ownPidNamespace !== null && namespace === ownPidNamespace && info?.uid === 0) {
      isRunning = true;
      break;
    }
  }
  return check({
    id: "lxc-monitord",
    group: "services",
    status: isRunning ? "ok" : "info",
    label: "lxc-monitord",
    seen: isRunning ? "running" : "not running",
    key: "monitord",
    params: { state: isRunning ? "running" : "stopped", path: lxcPath },
  });
};

export const readReadiness = async (settings: TReadinessSettings): Promise<THostReadiness> => {
  const kernel = release();
  const [kernelPart, cgroups, subids, security, overlay, bridge, space, monitord] = await Promise.all([
    kernelChecks(),
    cgroupChecks(),
    subidChecks(settings),
    securityChecks(),
    overlayCheck(kernel),
    bridgeCheck(settings),
    spaceCheck(settings.lxcPath),
    monitordCheck(settings.lxcPath),
  ]);
  const kernelCheck = check({
    id: "kernel.version",
    group: "kernel",
    status: "ok",
    label: "Kernel",
    seen: kernel,
    key: "kernelVersion",
    params: { release: kernel, lxc: kernelPart.report.lxcVersion ?? "" },
  });
  return {
    kernel,
    lxcVersion: kernelPart.report.lxcVersion,
    cgroup: { layout: cgroups.layout, controllers: cgroups.controllers },
    checks: [
      kernelCheck,
      ...kernelPart.checks,
      ...cgroups.checks,
      ...subids,
      ...security,
      overlay,
      bridge,
      space,
      monitord,
    ],
  };
};

/** The safe fixes: what each changed, in words (as the check listed it before). */
export const makeFix = async (id: "subids", settings: TReadinessSettings) => {
  const files = await ensureRootSubids(settings.hostRoot, settings.idPool);
  return {
    files,
    changed: files
      .filter((file) => file.state === "added")
      .map((file) => `appended "${file.line}" to ${file.file}`),
    id,
  };
};
