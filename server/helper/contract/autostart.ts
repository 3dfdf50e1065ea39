import { z } from "zod";
import { ZContainerName } from "../../schemas/container-name";
import { ZDependency, ZStopTimeout } from "../../schemas/autostart";
import { op } from "./define";
import { ZJobItem } from "./jobs";

/**
 * Autostart (server/boot): the order lxc-autostart would run, read from the containers' configs and the host's
 * /etc/default/lxc; the dependencies and stop timeouts Atelier adds, kept in the helper's state directory (the boot
 * routine runs as root without the web tier); and a run of the boot routine now, as a job's stream.
 */
const SECOND = 1000;
const MINUTE = 60 * SECOND;

export const ZAutostartEntry = z.object({
  name: ZContainerName,
  auto: z.boolean(),
  order: z.number().int(),
  delay: z.number().int().nonnegative(),
  groups: z.array(z.string()),
  /** False when liblxc refuses one of its values: lxc-autostart leaves such a container out. */
  loadable: z.boolean(),
  dependency: ZDependency.nullable(),
  stopTimeoutSeconds: ZStopTimeout,
});
export type TAutostartEntry = z.infer<typeof ZAutostartEntry>;

export const ZAutostartPlan = z.object({
  /** BOOTGROUPS as read from the host's /etc/default/lxc ("onboot," by default). */
  bootGroupList: z.string(),
  /** Its groups in order; "" is the containers without a group. */
  bootGroups: z.array(z.string()),
  containers: z.array(ZAutostartEntry),
  /** Names, exactly lxc-autostart's order at boot (`lxc-autostart -L -g BOOTGROUPS`), running ones included. */
  startOrder: z.array(ZContainerName),
});
export type TAutostartPlan = z.infer<typeof ZAutostartPlan>;

/** A -g list as lxc-autostart takes it: group names and commas (an empty part is the containers without a group). */
export const ZGroupList = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9_.,-]*$/);

/** What a run did: containers started (or stopped), left as they were (already so), and failed with why. */
export const ZAutostartRunResult = z.object({
  action: z.enum(["start", "stop"]),
  done: z.array(ZContainerName),
  skipped: z.array(ZContainerName),
  failed: z.array(z.object({ name: ZContainerName, message: z.string().max(4000) })),
});
export type TAutostartRunResult = z.infer<typeof ZAutostartRunResult>;

export const autostartContract = {
  plan: op({
    input: z.object({}).strict(),
    output: ZAutostartPlan,
    // One read of each container's config and of the state file.
    timeoutMs: 30 * SECOND,
    summary:
      "Every container's lxc.start.* and lxc.group (read as liblxc reads them), its dependency and stop timeout, and the boot order",
  }),
  setDependency: op({
    input: z.object({ name: ZContainerName, dependency: ZDependency.nullable() }).strict(),
    output: z.null(),
    timeoutMs: 15 * SECOND,
    summary:
      "Sets or clears a container's dependency (the container it names exists, no circle), kept in the helper's state directory",
  }),
  setStopTimeout: op({
    input: z.object({ name: ZContainerName, stopTimeoutSeconds: ZStopTimeout }).strict(),
    output: z.null(),
    timeoutMs: 15 * SECOND,
    summary:
      "Sets how long a container's clean stop may take before it is killed, in the helper's state directory",
  }),
  run: op({
    input: z
      .object({
        /** null: the boot's groups (BOOTGROUPS); else a -g list. */
        group: ZGroupList.nullable(),
        action: z.enum(["start", "stop"]),
      })
      .strict(),
    output: ZAutostartRunResult,
    item: ZJobItem,
    // Bounded by each step's own limits (delays, dependency timeouts, stop timeouts, each ten minutes at most).
    timeoutMs: 120 * MINUTE,
    summary:
      "Starts a group (or the boot's) in order with delays and dependencies, or stops it in reverse with each stop timeout; progress as lines",
  }),
};
