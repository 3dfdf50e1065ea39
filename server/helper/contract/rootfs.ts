import { z } from "zod";
import { ZContainerName } from "../../schemas/container-name";
import { op } from "./define";

/** Writes inside a container's root filesystem, through the helper's rootfs module (never through a guest's link). */
export const rootfsContract = {
  prepare: op({
    input: z
      .object({
        name: ZContainerName,
        ticket: z.string().max(4096).optional(),
        busyboxInit: z.boolean(),
        network: z.enum(["static", "dhcp"]).nullable(),
        rootPassword: z.string().min(1).max(1024).optional(),
        sshKey: z
          .string()
          .min(1)
          .max(16 * 1024)
          .optional(),
      })
      .strict(),
    output: z.null(),
    ticket: "when",
    ticketWhen:
      "the container is not one the helper is making (a root password or an SSH key written into an existing container is a takeover), or it is one the helper is making without an isolated id map (a privileged container)",
    timeoutMs: 60 * 1000,
    summary:
      "The files provisioning puts in a new container's root filesystem: busybox's init, the network file, root's password, an SSH key",
  }),
};
