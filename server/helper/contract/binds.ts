import { z } from "zod";
import { ZContainerName } from "../../schemas/container-name";
import { op } from "./define";
import { ZOptionalTicket } from "./ticket";

/**
 * Bind mounts of unprivileged containers: a host directory owned by a host user (uid 1000) shows as nobody inside a
 * container whose ids 0–65535 are host ids N–N+65535. The helper says, for each bind mount of a container's config,
 * who owns its source on the host and who that is inside, and offers the two fixes: give the source to the
 * container's id (chown to N+ID), or (an admin) map one host id through unchanged.
 */
const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** An id inside the container (0–65535: Atelier's maps cover one 16-bit id space). */
const ZInsideId = z.number().int().min(0).max(65535);

export const ZBindMount = z.object({
  /** 1-based line of the config. */
  line: z.number().int(),
  source: z.string(),
  target: z.string(),
  readOnly: z.boolean(),
  /** What the source is on the host (never followed through a link): absent, a link, a directory, a file. */
  kind: z.enum(["missing", "link", "directory", "file", "other"]),
  /** Whether a component of the path leads elsewhere (realpath differs): the helper changes nothing there. */
  throughLink: z.boolean(),
  /** The source's owner and mode on the host (null when missing). */
  uid: z.number().int().nullable(),
  gid: z.number().int().nullable(),
  mode: z.number().int().nullable(),
  /** Who that owner is inside: its id through the container's map, or 65534 (nobody) when the map has it not. */
  insideUid: z.number().int().nullable(),
  insideGid: z.number().int().nullable(),
  /** Whether an operator may chown it (inside ATELIER_BIND_ROOTS); elsewhere an admin's, never a system path. */
  inBindRoots: z.boolean(),
  systemPath: z.boolean(),
});
export type TBindMount = z.infer<typeof ZBindMount>;

export const ZBindsPicture = z.object({
  /** Container root on the host, or null for a privileged container (its ids are the host's). */
  root: z.object({ uid: z.number().int(), gid: z.number().int() }).nullable(),
  /** Host ids the config maps one to one (the pass-through entries), users and groups. */
  passThrough: z.object({ uids: z.array(z.number().int()), gids: z.array(z.number().int()) }),
  mounts: z.array(ZBindMount),
});
export type TBindsPicture = z.infer<typeof ZBindsPicture>;

export const bindsContract = {
  inspect: op({
    input: z.object({ name: ZContainerName }).strict(),
    output: ZBindsPicture,
    timeoutMs: 15 * SECOND,
    summary:
      "Each bind mount of a container's config: its source's host owner and mode (lstat, never through a link) and who that owner is inside through the container's id map (nobody when unmapped)",
  }),
  chownSource: op({
    input: z
      .object({
        name: ZContainerName,
        source: z.string().min(1).max(4096),
        insideUid: ZInsideId,
        insideGid: ZInsideId,
        recursive: z.boolean(),
        ticket: ZOptionalTicket,
      })
      .strict(),
    output: z.object({
      uid: z.number().int(),
      gid: z.number().int(),
      changed: z.number().int(),
      /** Names left alone: links to other filesystems, hard-linked files, other mounts. */
      skipped: z.array(z.string().max(4200)).max(50),
      skippedCount: z.number().int(),
    }),
    ticket: "when",
    ticketWhen:
      "the source is outside ATELIER_BIND_ROOTS, or the ids it maps to are the host's own (below 65536)",
    timeoutMs: 30 * MINUTE,
    summary:
      "Gives a bind source of an unprivileged container's config (and with recursive, what is under it on its filesystem, no link followed, no hard-linked file) to the host ids of the container's insideUid:insideGid; never a system path",
  }),
  passThrough: op({
    input: z
      .object({
        name: ZContainerName,
        hostId: z.number().int().min(1000).max(65533),
        ticket: ZOptionalTicket,
      })
      .strict(),
    output: z.object({ maps: z.array(z.string()), subids: z.array(z.string()) }),
    ticket: "always",
    timeoutMs: 90 * SECOND,
    summary:
      "Maps one host uid and gid through a stopped unprivileged container unchanged (its lxc.idmap lines split around it, through config.write) and gives root that id in /etc/subuid and /etc/subgid, on an admin's ticket",
  }),
};
