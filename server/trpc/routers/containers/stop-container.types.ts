import { z } from "zod";
import { ZContainerName } from "../../../schemas/container-name";
import { says } from "../../../schemas/issue-words";

export const ZStopContainerRequestSchema = z
  .object({
    name: ZContainerName,
    /** Kill at once instead of asking the container to halt. */
    force: z.boolean().optional(),
    /** Seconds to wait for a clean halt before killing (default 30). */
    timeoutSeconds: z
      .number()
      .int()
      .min(1, says("validation.containers.stopAtLeast"))
      .max(600, says("validation.containers.stopAtMost"))
      .optional(),
  })
  .strict();
export type TStopContainerRequest = z.infer<typeof ZStopContainerRequestSchema>;
