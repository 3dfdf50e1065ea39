import { z } from "zod";
import { ZContainerName } from "../../../schemas/container-name";

export const ZDestroyContainerRequestSchema = z
  .object({
    name: ZContainerName,
    /** Stop a running container first. */
    force: z.boolean().optional(),
  })
  .strict();
