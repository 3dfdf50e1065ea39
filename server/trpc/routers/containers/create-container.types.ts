import { z } from "zod";
import { ZContainerName } from "../../../lxc/container-name";

export const ZCreateContainerRequestSchema = z
  .object({
    name: ZContainerName,
    template: z.literal("busybox", { message: "Only the busybox template is available for now" }),
  })
  .strict();
export type TCreateContainerRequest = z.infer<typeof ZCreateContainerRequestSchema>;

export const ZCreateContainerResponseSchema = z.object({ name: z.string() });
