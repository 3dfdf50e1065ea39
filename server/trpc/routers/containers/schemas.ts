import { z } from "zod";
import { ZContainerName } from "../../../schemas/container-name";
import { CONTAINER_STATES } from "../../../schemas/container-state";

/** Shared by the containers procedures' request and response schemas. Pure zod: forms import it too. */
export const ZContainerNameInput = z.object({ name: ZContainerName }).strict();

export const ZContainerState = z.enum(CONTAINER_STATES);

export const ZBusyOperation = z.enum([
  "create",
  "start",
  "stop",
  "restart",
  "freeze",
  "unfreeze",
  "destroy",
  "snapshot",
]);

export const ZContainerSummary = z.object({
  name: z.string(),
  state: ZContainerState,
  pid: z.number().int().nullable(),
  ipv4: z.array(z.string()),
  ipv6: z.array(z.string()),
  autostart: z.boolean(),
  groups: z.array(z.string()),
  unprivileged: z.boolean(),
  /** The operation Atelier is running on it right now, if any. */
  busy: ZBusyOperation.nullable(),
});
export type TContainerSummary = z.infer<typeof ZContainerSummary>;
