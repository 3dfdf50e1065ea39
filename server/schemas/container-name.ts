import { z } from "zod";

/**
 * The one validator for container names, used by every input that names a container (API, forms, scripts).
 * Pure: imported by client forms too.
 *
 * LXC uses the name as a directory under the lxcpath, in cgroup paths, as the default hostname and in its
 * abstract command socket name, so it is kept to characters that are safe in all of them.
 */
export const CONTAINER_NAME_MAX_LENGTH = 63;

export const ZContainerName = z
  .string({ message: "Enter a container name" })
  .min(1, "Enter a container name")
  .max(CONTAINER_NAME_MAX_LENGTH, `Use at most ${CONTAINER_NAME_MAX_LENGTH} characters`)
  .regex(/^[A-Za-z0-9]/, "Start with a letter or a digit (not '-', '.' or '_')")
  .regex(/^[A-Za-z0-9_.-]*$/, "Use only letters, digits, '-', '_' and '.' (no spaces, '/' or other symbols)");

export type TContainerName = z.infer<typeof ZContainerName>;

export const isValidContainerName = (value: unknown): value is string =>
  ZContainerName.safeParse(value).success;
