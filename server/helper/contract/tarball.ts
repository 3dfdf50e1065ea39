import { z } from "zod";
import { ZContainerName } from "../../schemas/container-name";
import { op } from "./define";

/** A container made from an archive: its directories before the archive is unpacked (jobs.unpackTarball), its config after. */
export const tarballContract = {
  prepare: op({
    input: z.object({ name: ZContainerName }).strict(),
    output: z.null(),
    timeoutMs: 30 * 1000,
    summary:
      "A tarball container's directories with LXC's modes (the container's 0770, its rootfs 0755), marked as being made",
  }),
  writeConfig: op({
    input: z.object({ name: ZContainerName, source: z.string().max(4096) }).strict(),
    output: z.null(),
    timeoutMs: 30 * 1000,
    summary:
      "The first config of a container being made from an archive: LXC's common config, the host's defaults, its rootfs",
  }),
};
