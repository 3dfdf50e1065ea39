import { z } from "zod";
import { ZContainerName } from "../../schemas/container-name";
import { op } from "./define";
import { ZOptionalTicket } from "./ticket";

/**
 * What unprivileged containers need of the host: root's subordinate ids for Atelier's pool (/etc/subuid and
 * /etc/subgid, given by the helper when it starts), idmapped mounts on the lxcpath's filesystem (the kernel's
 * answer), and an lxcpath every container root may traverse.
 */
const SECOND = 1000;

export const ZSubidFile = z.object({
  file: z.string(),
  line: z.string(),
  state: z.enum(["granted", "added", "missing", "conflict"]),
  conflict: z.string().optional(),
  problem: z.string().optional(),
});

export const ZIdmapStatus = z.object({
  pool: z.object({ first: z.number().int(), slots: z.number().int() }),
  subids: z.array(ZSubidFile),
  idmappedRootfs: z.object({ supported: z.boolean(), why: z.string().nullable() }),
  /** The first directory of the lxcpath that others (so a container's root) may not traverse, or null. */
  lxcPathBlockedAt: z.string().nullable(),
});
export type TIdmapStatus = z.infer<typeof ZIdmapStatus>;

export const ZAssignedRange = z.object({
  slot: z.number().int().nonnegative(),
  first: z.number().int(),
  count: z.number().int(),
});
export type TAssignedRange = z.infer<typeof ZAssignedRange>;

export const idmapContract = {
  status: op({
    input: z.object({}).strict(),
    output: ZIdmapStatus,
    timeoutMs: 30 * SECOND,
    summary:
      "Whether unprivileged containers can run here: root's lines in /etc/subuid and /etc/subgid, idmapped mounts on the lxcpath's filesystem (probed), a traversable lxcpath",
  }),
  assign: op({
    input: z.object({ name: ZContainerName, ticket: ZOptionalTicket }).strict(),
    output: ZAssignedRange,
    ticket: "when",
    ticketWhen: "as config.write's (the container's config has lines an operator could not write)",
    timeoutMs: 120 * SECOND,
    summary:
      "Makes a stopped container unprivileged, or gives a clone a range of its own: the pool's first free range of 65536 ids, the root filesystem mounted idmapped, written through config.write",
  }),
  unassign: op({
    input: z.object({ name: ZContainerName, ticket: ZOptionalTicket }).strict(),
    output: z.null(),
    ticket: "always",
    timeoutMs: 120 * SECOND,
    summary:
      "Makes a stopped unprivileged container (idmapped root filesystem) privileged again: its maps taken out through config.write, on an admin's ticket",
  }),
};
