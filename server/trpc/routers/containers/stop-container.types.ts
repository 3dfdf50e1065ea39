import { z } from "zod";
import { ZContainerName } from "../../../schemas/container-name";

export const ZStopContainerRequestSchema = z
  .object({
    name: ZContainerName,
    /** Kill at once instead of asking the container to halt. */
    force: z.boolean().optional(),
    /** Seconds to wait for a clean halt before killing (default 30). */
    timeoutSeconds: z
      .number()
      .int()
      .min(1, "Wait at least 1 second")
      .max(600, "Wait at most 600 seconds")
      .optional(),
  })
  .strict();
export type TStopContainerRequest = z.infer<typeof ZStopContainerRequestSchema>;
