import { z } from "zod";
import { ZContainerNameInput, ZContainerSummary } from "./schemas";

export const ZGetContainerRequestSchema = ZContainerNameInput;

export const ZGetContainerResponseSchema = ZContainerSummary.extend({
  configPath: z.string(),
  lxcPath: z.string(),
  /** From the container's memory cgroup; null when stopped or unknown. */
  memoryUseBytes: z.number().nullable(),
});
export type TGetContainerResponse = z.infer<typeof ZGetContainerResponseSchema>;
