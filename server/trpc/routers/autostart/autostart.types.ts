import { z } from "zod";
import { ZDependency, ZGroupName, ZStopTimeout } from "../../../schemas/autostart";
import { ZContainerName } from "../../../schemas/container-name";
import { ZContainerState } from "../../../schemas/container-state";

/** The Autostart board: what boot starts, in lxc-autostart's order, with Atelier's dependencies. */
export const ZAutostartBoardResponseSchema = z.object({
  /** The groups boot starts, in order (BOOTGROUPS of /etc/default/lxc); "" is the containers without a group. */
  bootGroups: z.array(z.string()),
  containers: z.array(
    z.object({
      name: ZContainerName,
      state: ZContainerState,
      auto: z.boolean(),
      order: z.number().int(),
      delay: z.number().int(),
      groups: z.array(z.string()),
      dependency: ZDependency.nullable(),
      stopTimeoutSeconds: z.number().int(),
    }),
  ),
  /** Names, exactly lxc-autostart's order at boot. */
  startOrder: z.array(ZContainerName),
});

const INT_MAX = 2 ** 31 - 1;
export const ZAutostartSetRequestSchema = z
  .object({
    name: ZContainerName,
    auto: z.boolean().optional(),
    /** lxc.start.order: lower starts first. */
    order: z
      .number()
      .int()
      .min(-INT_MAX - 1)
      .max(INT_MAX)
      .optional(),
    /** lxc.start.delay: seconds after its start before the next container starts. */
    delay: z.number().int().min(0).max(3600).optional(),
    groups: z.array(ZGroupName).max(32).optional(),
    stopTimeoutSeconds: ZStopTimeout.optional(),
  })
  .strict();

export const ZAutostartReorderRequestSchema = z
  .object({ names: z.array(ZContainerName).min(1).max(1000) })
  .strict();
export const ZAutostartReorderResponseSchema = z.array(ZContainerName);

export const ZAutostartSetDependencyRequestSchema = z
  .object({ name: ZContainerName, dependency: ZDependency.nullable() })
  .strict();

export const ZAutostartRunRequestSchema = z
  .object({
    /** null: the boot's groups; else one group ("" for the containers without a group). */
    group: z.union([z.literal(""), ZGroupName]).nullable(),
    action: z.enum(["start", "stop"]),
  })
  .strict();
export const ZJobStartedSchema = z.object({ jobId: z.string() });
