import { z } from "zod";
import { ZContainerNameInput, ZContainerSummary } from "./schemas";

export const ZGetContainerRequestSchema = ZContainerNameInput;

export const ZGetContainerResponseSchema = ZContainerSummary.extend({
  configPath: z.string(),
  lxcPath: z.string(),
  memoryUseBytes: z.number().nullable(),
  cpuUseNs: z.number().nullable(),
});
export type TGetContainerResponse = z.infer<typeof ZGetContainerResponseSchema>;
