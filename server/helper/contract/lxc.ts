import { z } from "zod";
import { ZContainerName } from "../../schemas/container-name";
import { ZContainerState } from "../../schemas/container-state";
import { KEYS } from "../../schemas/lxc-config/catalogue";
import { ZSnapshotName } from "../../schemas/snapshot-name";
import { op } from "./define";

/**
 * The LXC driver's operations: each takes a validated container name (and fixed-shape options) and runs the lxc-*
 * command the driver runs for it, in the helper's own lxcpath.
 */
const SECOND = 1000;
const ZName = z.object({ name: ZContainerName }).strict();
const ZNothing = z.null();

export const ZListedContainer = z.object({
  name: z.string(),
  state: ZContainerState,
  pid: z.number().int().nullable(),
  ipv4: z.array(z.string()),
  ipv6: z.array(z.string()),
  autostart: z.boolean(),
  groups: z.array(z.string()),
  unprivileged: z.boolean(),
});
export type TListedContainer = z.infer<typeof ZListedContainer>;

export const ZContainerListing = ZListedContainer.extend({ configPath: z.string(), lxcPath: z.string() });
export type TContainerListing = z.infer<typeof ZContainerListing>;

export const ZContainerInfo = z.object({
  name: z.string(),
  state: ZContainerState,
  pid: z.number().int().nullable(),
  ips: z.array(z.string()),
  /** Nanoseconds of CPU time, as `lxc-info -H` prints it. */
  cpuUseNs: z.number().nullable(),
  memoryUseBytes: z.number().nullable(),
  /** Host-side veth names. */
  links: z.array(z.string()),
});
export type TContainerInfo = z.infer<typeof ZContainerInfo>;

export const ZConfigVerdict = z.union([
  z.object({ isValid: z.literal(true) }),
  z.object({ isValid: z.literal(false), line: z.number().int().nullable(), message: z.string() }),
]);
export type TConfigVerdict = z.infer<typeof ZConfigVerdict>;

/**
 * The cgroup files a live config change may set: those of catalogue keys that apply live, device rules excepted
 * (they take effect at the next start, where the config's privilege rules have been checked).
 */
const LIVE_CGROUP_FILES = new Set(
  KEYS.filter((key) => key.apply === "live")
    .map((key) => /^lxc\.cgroup2?\.(.+)$/.exec(key.key)?.[1])
    .filter((file): file is string => file !== undefined && !file.startsWith("devices.")),
);
/**
 * A value for one of those files, an argument of lxc-cgroup as root (after `--`, server/lxc/driver.ts): a leading '-'
 * only as -1, the "no limit" of cgroup v1's memory limits and CPU quota; none of those files takes another.
 */
const ZCgroupValue = z
  .string()
  .regex(/^[\w.:,\- ]{1,200}$/, "not a cgroup value")
  .refine((value) => !value.startsWith("-") || value === "-1", "not a cgroup value: it starts with '-'");
const ZStopTimeout = z.number().int().min(0).max(3600).optional();

export const lxcContract = {
  list: op({
    input: z.object({}).strict(),
    output: z.array(ZListedContainer),
    timeoutMs: 90 * SECOND,
    summary: "Every container with its state and addresses (lxc-ls -f)",
  }),
  exists: op({
    input: ZName,
    output: z.boolean(),
    timeoutMs: 5 * SECOND,
    summary: "Whether a container exists",
  }),
  get: op({
    input: ZName,
    output: ZContainerListing,
    timeoutMs: 45 * SECOND,
    summary: "One container's listing (lxc-ls -f filtered to it)",
  }),
  info: op({
    input: ZName,
    output: ZContainerInfo,
    timeoutMs: 45 * SECOND,
    summary: "One container's state, pid, addresses and usage (lxc-info -H)",
  }),
  create: op({
    input: z.object({ name: ZContainerName, template: z.literal("busybox") }).strict(),
    output: ZContainerListing,
    timeoutMs: 400 * SECOND,
    summary: "A busybox container (lxc-create -t busybox), marked as being made",
  }),
  start: op({
    input: ZName,
    output: ZNothing,
    timeoutMs: 120 * SECOND,
    summary:
      "Starts a stopped container after the start checks (bind sources, create= targets, mount points)",
  }),
  stop: op({
    input: z
      .object({ name: ZContainerName, force: z.boolean().optional(), timeoutSeconds: ZStopTimeout })
      .strict(),
    output: ZNothing,
    timeoutMs: 3700 * SECOND,
    summary:
      "Stops a container: clean shutdown within timeoutSeconds, then killed (or killed at once: force)",
  }),
  restart: op({
    input: z.object({ name: ZContainerName, timeoutSeconds: ZStopTimeout }).strict(),
    output: ZNothing,
    timeoutMs: 3800 * SECOND,
    summary: "Stops and starts a container; the start checks run before the stop",
  }),
  freeze: op({
    input: ZName,
    output: ZNothing,
    timeoutMs: 60 * SECOND,
    summary: "Freezes a running container",
  }),
  unfreeze: op({
    input: ZName,
    output: ZNothing,
    timeoutMs: 60 * SECOND,
    summary: "Thaws a frozen container",
  }),
  destroy: op({
    input: z.object({ name: ZContainerName, force: z.boolean().optional() }).strict(),
    output: ZNothing,
    timeoutMs: 300 * SECOND,
    summary:
      "Destroys a container (force: a running one too); refused while snapshots or clones depend on it",
  }),
  discard: op({
    input: ZName,
    output: ZNothing,
    timeoutMs: 300 * SECOND,
    summary: "Destroys a half-made container of a failed creation",
  }),
  removeLeftover: op({
    input: ZName,
    output: ZNothing,
    timeoutMs: 300 * SECOND,
    summary: "Removes a directory left in the lxcpath without a config (never a container)",
  }),
  deleteSnapshot: op({
    input: z.object({ name: ZContainerName, snapshot: ZSnapshotName }).strict(),
    output: ZNothing,
    timeoutMs: 300 * SECOND,
    summary: "Deletes one snapshot (lxc-snapshot -d)",
  }),
  setCgroup: op({
    input: z
      .object({
        name: ZContainerName,
        file: z
          .string()
          .refine((file) => LIVE_CGROUP_FILES.has(file), "not a cgroup file a live change sets"),
        value: ZCgroupValue,
      })
      .strict(),
    output: ZNothing,
    timeoutMs: 30 * SECOND,
    summary:
      "Writes a live cgroup limit of a running container (only files of catalogue keys that apply live)",
  }),
  checkConfig: op({
    input: z.object({ text: z.string().max(256 * 1024) }).strict(),
    output: ZConfigVerdict,
    timeoutMs: 30 * SECOND,
    summary: "liblxc's verdict on a candidate config (nothing of an included host file comes back)",
  }),
  defaultPath: op({
    input: z.object({}).strict(),
    output: z.string(),
    timeoutMs: 15 * SECOND,
    summary: "LXC's default lxcpath (lxc-config lxc.lxcpath)",
  }),
  monitor: op({
    input: z.object({}).strict(),
    output: z.object({ exitCode: z.number().int().nullable() }),
    item: z.string(),
    timeoutMs: null,
    summary: "A stream of lxc-monitor's lines for the lxcpath, until cancelled",
  }),
};
