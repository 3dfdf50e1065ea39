import { z } from "zod";
import { ZContainerName } from "../../schemas/container-name";
import { op } from "./define";
import { ZOptionalTicket } from "./ticket";

/**
 * A container's config file in the lxcpath: read for the editor, written whole once the helper has judged it
 * (server/helper/operations/config.ts), and the host paths a candidate names checked for existence.
 */
const SECOND = 1000;
export const MAX_CONFIG_BYTES = 256 * 1024;
const ZConfigText = z.string().max(MAX_CONFIG_BYTES);

/** A problem found in a config (server/schemas/lxc-config/validate.ts's TConfigProblem). */
export const ZConfigProblem = z.object({
  line: z.number().int(),
  severity: z.enum(["error", "warning"]),
  message: z.string(),
  key: z.string().optional(),
  replacement: z.string().optional(),
});

export const configContract = {
  read: op({
    input: z.object({ name: ZContainerName }).strict(),
    output: z.object({ text: z.string() }),
    timeoutMs: 15 * SECOND,
    summary: "A container's config file as it is (a regular file, never followed through a link)",
  }),
  write: op({
    input: z.object({ name: ZContainerName, text: ZConfigText, ticket: ZOptionalTicket }).strict(),
    output: z.null(),
    ticket: "when",
    ticketWhen:
      "the text adds or changes an admin-only line, removes a protection, gives the container a MAC or address another container or the host uses, or adds a bind source that nests with a read-write one",
    // Our validation, the host's network (ip, 10 s a read), the other containers' configs, then liblxc's load
    // (15 s); behind an earlier write to the same container.
    timeoutMs: 90 * SECOND,
    summary:
      "Replaces a container's config atomically once the whole text passes validation, the privilege rules against the file on disk and liblxc's load",
  }),
  hostPaths: op({
    input: z.object({ text: ZConfigText }).strict(),
    output: z.array(ZConfigProblem),
    timeoutMs: 15 * SECOND,
    summary: "Warnings for the host paths a candidate config names (rootfs, fstab) that are not there",
  }),
};
