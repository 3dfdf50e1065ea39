import { z } from "zod";
import { says } from "./issue-words";

/**
 * The one validator for container names, used by every input that names a container (API, forms, scripts).
 * Pure: imported by client forms too.
 *
 * LXC uses the name as a directory under the lxcpath, in cgroup paths, as the default hostname and in its
 * abstract command socket name, so it is kept to characters that are safe in all of them.
 */
export const CONTAINER_NAME_MAX_LENGTH = 63;

export const ZContainerName = z
  .string(says("validation.containerName.empty"))
  .min(1, says("validation.containerName.empty"))
  .max(CONTAINER_NAME_MAX_LENGTH, says("validation.text.atMost", { max: CONTAINER_NAME_MAX_LENGTH }))
  .regex(/^[A-Za-z0-9]/, says("validation.containerName.start"))
  .regex(/^[A-Za-z0-9_.-]*$/, says("validation.containerName.characters"));

export type TContainerName = z.infer<typeof ZContainerName>;

export const isValidContainerName = (value: unknown): value is string =>
  ZContainerName.safeParse(value).success;
