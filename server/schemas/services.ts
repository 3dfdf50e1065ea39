import { z } from "zod";
import { says } from "./issue-words";

/**
 * Services inside a container (the helper's `services` family, the `services` router): what a service is called,
 * what it looks like in a list, and what may be done to it. Pure: the pages, the web tier and the helper share it.
 */
export const SERVICE_NAME_MAX_LENGTH = 200;

/**
 * A service's name as an action takes it: letters, digits and `@._:-`, starting with a letter or a digit (so never
 * an option such as `--now`, never `.` or `..`, never a path: no `/`), at most 200 characters. It reaches the guest's
 * own tool as one argument of a fixed argv, never through a shell.
 */
export const ZServiceName = z
  .string(says("validation.services.name"))
  .min(1, says("validation.services.name"))
  .max(SERVICE_NAME_MAX_LENGTH, says("validation.text.atMost", { max: SERVICE_NAME_MAX_LENGTH }))
  .regex(/^[A-Za-z0-9][A-Za-z0-9@._:-]*$/, says("validation.services.name"));

export const SERVICE_MANAGERS = ["systemd", "openrc", "sysvinit", "busybox"] as const;
export const ZServiceManager = z.enum(SERVICE_MANAGERS);
export type TServiceManager = z.infer<typeof ZServiceManager>;

export const SERVICE_STATES = ["running", "stopped", "failed", "unknown"] as const;
export const ZServiceState = z.enum(SERVICE_STATES);
export type TServiceState = z.infer<typeof ZServiceState>;

export const SERVICE_ACTIONS = ["start", "stop", "restart", "enable", "disable"] as const;
export const ZServiceAction = z.enum(SERVICE_ACTIONS);
export type TServiceAction = z.infer<typeof ZServiceAction>;

export const ZService = z
  .object({
    name: z.string(),
    description: z.string(),
    state: ZServiceState,
    /** Started at boot; null where the manager has no such choice for it (systemd's static units, instances). */
    enabled: z.boolean().nullable(),
  })
  .strict();
export type TService = z.infer<typeof ZService>;

export const ZServiceList = z
  .object({
    /** The guest's service manager, or null when none Atelier knows was found. */
    manager: ZServiceManager.nullable(),
    services: z.array(ZService),
  })
  .strict();
export type TServiceList = z.infer<typeof ZServiceList>;

export const ZServiceActResult = z
  .object({
    /** Whether the guest's tool said it did it (exit status 0). */
    ok: z.boolean(),
    /** What the tool printed (stdout then stderr, the last 4 000 characters). */
    output: z.string(),
  })
  .strict();
export type TServiceActResult = z.infer<typeof ZServiceActResult>;
