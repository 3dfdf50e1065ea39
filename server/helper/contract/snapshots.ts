import { z } from "zod";
import { ZContainerName } from "../../schemas/container-name";
import { op } from "./define";

/** A container's snapshots, read where only root reads (LXCPATH/NAME/snaps); making and restoring them are jobs. */
export const ZListedSnapshot = z.object({
  name: z.string(),
  /** LXC's timestamp as it wrote it ("2026:11:29 11:37:11", host local time), or "". */
  ts: z.string(),
  /** The comment given at its making, or "". */
  comment: z.string(),
  /** Bytes it takes (du), or null when du could not say. */
  bytes: z.number().nullable(),
});
export type TListedSnapshot = z.infer<typeof ZListedSnapshot>;

export const snapshotsContract = {
  list: op({
    input: z.object({ name: ZContainerName }).strict(),
    output: z.array(ZListedSnapshot),
    // du runs on the snapshots side by side, each for two minutes at most.
    timeoutMs: 180 * 1000,
    summary: "A container's snapshots: name, LXC's timestamp, comment and size (du)",
  }),
};
