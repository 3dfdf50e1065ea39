import { z } from "zod";
import { ZContainerName } from "../../schemas/container-name";
import { op } from "./define";
import { ZJobItem } from "./jobs";
import { ZOptionalTicket } from "./ticket";

/**
 * What unprivileged containers need of the host: root's subordinate ids for Atelier's pool (/etc/subuid and
 * /etc/subgid, given by the helper when it starts), idmapped mounts on the lxcpath's filesystem (the kernel's
 * answer), and an lxcpath every container root may traverse.
 */
const SECOND = 1000;
const MINUTE = 60 * SECOND;

/**
 * How a container's files are seen through its map: the rootfs mounted idmapped (instant, owners kept on disk),
 * or its owners shifted on disk (where the kernel or filesystem cannot mount it idmapped, or
 * ATELIER_IDMAP_METHOD=shift).
 */
export const ZIdmapMethod = z.enum(["auto", "shift"]);
export type TIdmapMethod = z.infer<typeof ZIdmapMethod>;

/**
 * What a shift of a root filesystem's owners did (server/helper/shift.ts): its names, the inodes changed, those
 * whose ids were outside the source range (given the target's nobody), mounts left alone, ACLs and file
 * capabilities shifted, and what was not, in words.
 */
export const ZShiftSummary = z.object({
  from: z.number().int(),
  to: z.number().int(),
  entries: z.number().int(),
  shifted: z.number().int(),
  hardLinks: z.number().int(),
  outside: z.object({ count: z.number().int(), sample: z.array(z.string().max(4200)).max(10) }),
  otherMounts: z.array(z.string().max(4200)).max(100),
  acls: z.number().int(),
  capabilities: z.number().int(),
  notShifted: z.array(z.string().max(8200)).max(100),
  durationMs: z.number().int(),
});
export type TShiftSummary = z.infer<typeof ZShiftSummary>;

/**
 * Shifting takes as long as the tree is big: measured at about 10 000 names a second on two busy cores (npm run
 * bench), so the limit below allows some ten million names, with the checks around, and the way back should it
 * fail.
 */
const SHIFT_TIMEOUT_MS = 30 * MINUTE;

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
  /** ATELIER_IDMAP_METHOD: auto (idmapped where supported, shifted elsewhere) or shift (always shifted). */
  method: ZIdmapMethod,
  /** The first directory of the lxcpath that others (so a container's root) may not traverse, or null. */
  lxcPathBlockedAt: z.string().nullable(),
});
export type TIdmapStatus = z.infer<typeof ZIdmapStatus>;

export const ZAssignedRange = z.object({
  slot: z.number().int().nonnegative(),
  first: z.number().int(),
  count: z.number().int(),
  /** How its files are seen through the map, and what the shift did (null for an idmapped rootfs). */
  method: z.enum(["idmapped", "shifted"]),
  shift: ZShiftSummary.nullable(),
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
    item: ZJobItem,
    ticket: "when",
    ticketWhen: "as config.write's (the container's config has lines an operator could not write)",
    timeoutMs: SHIFT_TIMEOUT_MS,
    summary:
      "Makes a stopped container unprivileged, or gives a clone a range of its own: the pool's first free range of 65536 ids, the root filesystem mounted idmapped or (where it cannot be, or ATELIER_IDMAP_METHOD=shift) its owners shifted into the range (progress as lines), written through config.write",
  }),
  unassign: op({
    input: z.object({ name: ZContainerName, ticket: ZOptionalTicket }).strict(),
    output: z.object({ shift: ZShiftSummary.nullable() }),
    item: ZJobItem,
    ticket: "always",
    timeoutMs: SHIFT_TIMEOUT_MS,
    summary:
      "Makes a stopped unprivileged container privileged again: its owners shifted back to 0 if Atelier had shifted them (progress as lines), its maps taken out through config.write, on an admin's ticket",
  }),
};
