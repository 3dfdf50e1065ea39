import { z } from "zod";
import { ZContainerName } from "../../schemas/container-name";
import {
  ZFileContent,
  ZFileEntry,
  ZFileListing,
  ZFileMode,
  ZFileRead,
  ZGuestAccounts,
  ZGuestPath,
  ZLinkTarget,
  ZOwnerName,
  ZReadAs,
  ZReadMaxBytes,
  ZUploadSize,
} from "../../schemas/files";
import { bytes, op } from "./define";
import { ZOptionalTicket } from "./ticket";

/**
 * Files inside a container, by the container's own paths. Reads, and changes to a stopped container, go through the
 * symlink-safe rootfs module (server/rootfs): a stopped container's directory rootfs, or a running one's root as its
 * init sees it (/proc/PID/root), walked component by component, links followed inside the container's root only, on
 * filesystems known to be safe (never proc, sysfs, cgroup, fuse…: writing a container's /proc/sys as host root would
 * change the host). Changes to a running container are made inside its own namespaces by its own tools, as its root
 * (lxc-attach): its user namespace judges them. Owners are shown and set as the container sees them.
 *
 * Reads take `readAs`: "other" (viewers) reaches only what the container's "others" may read. Changes to a
 * privileged container need an admin's ticket: its root is the host's root, one escape away.
 */

const PRIVILEGED =
  "the container is privileged (a stopped one's config maps no ids; a running one's init's uid or gid map reaches host id 0)";
const SECOND = 1000;
const MINUTE = 60 * SECOND;

const where = { name: ZContainerName, path: ZGuestPath };

export const filesContract = {
  list: op({
    input: z.object({ ...where, readAs: ZReadAs }).strict(),
    output: ZFileListing,
    timeoutMs: 30 * SECOND,
    summary:
      "A directory of a container (directories first, then by name, at most 10 000 entries): kinds, sizes, modes, owners as the container sees them, link texts",
  }),
  stat: op({
    input: z.object({ ...where, readAs: ZReadAs }).strict(),
    output: ZFileEntry,
    timeoutMs: 10 * SECOND,
    summary: "One entry of a container (a link not followed), or NOT_FOUND",
  }),
  read: op({
    input: z.object({ ...where, readAs: ZReadAs, maxBytes: ZReadMaxBytes.optional() }).strict(),
    output: ZFileRead,
    timeoutMs: 30 * SECOND,
    summary:
      "A regular file's text, bounded (1 MiB by default, at most 4 MiB), said binary when it holds a NUL or invalid UTF-8",
  }),
  write: op({
    input: z
      .object({
        ...where,
        content: ZFileContent,
        mode: ZFileMode.optional(),
        /** The file's mtime when the editor read it: changed since → CONFLICT. */
        expectedMtime: z.string().max(64).optional(),
        ticket: ZOptionalTicket,
      })
      .strict(),
    output: ZFileEntry,
    ticket: "when",
    ticketWhen: PRIVILEGED,
    timeoutMs: MINUTE,
    summary:
      "Writes a file atomically (temp file, fsync, rename; a link at the name replaced, never followed); a new one owned by the container's root",
  }),
  mkdir: op({
    input: z.object({ ...where, mode: ZFileMode.optional(), ticket: ZOptionalTicket }).strict(),
    output: ZFileEntry,
    ticket: "when",
    ticketWhen: PRIVILEGED,
    timeoutMs: 10 * SECOND,
    summary: "Makes a directory, owned by the container's root",
  }),
  rename: op({
    input: z
      .object({ name: ZContainerName, from: ZGuestPath, to: ZGuestPath, ticket: ZOptionalTicket })
      .strict(),
    output: ZFileEntry,
    ticket: "when",
    ticketWhen: PRIVILEGED,
    timeoutMs: 10 * SECOND,
    summary: "Renames or moves an entry inside a container, never replacing an existing one",
  }),
  remove: op({
    input: z.object({ ...where, recursive: z.boolean(), ticket: ZOptionalTicket }).strict(),
    output: z.object({ removed: z.number().int() }).strict(),
    ticket: "when",
    ticketWhen: PRIVILEGED,
    timeoutMs: 10 * MINUTE,
    summary:
      "Removes an entry (a directory's contents too when recursive), walking by directory descriptors, a link removed as a link",
  }),
  chmod: op({
    input: z.object({ ...where, mode: ZFileMode, ticket: ZOptionalTicket }).strict(),
    output: ZFileEntry,
    ticket: "when",
    ticketWhen: PRIVILEGED,
    timeoutMs: 10 * SECOND,
    summary: "Changes an entry's mode (a link's own mode cannot change: refused)",
  }),
  chown: op({
    input: z
      .object({
        ...where,
        user: ZOwnerName.optional(),
        group: ZOwnerName.optional(),
        ticket: ZOptionalTicket,
      })
      .strict(),
    output: ZFileEntry,
    ticket: "when",
    ticketWhen: PRIVILEGED,
    timeoutMs: 10 * SECOND,
    summary:
      "Changes an entry's owner (a link's own), by the guest's user and group names or ids, written through the container's id map",
  }),
  symlink: op({
    input: z.object({ ...where, target: ZLinkTarget, ticket: ZOptionalTicket }).strict(),
    output: ZFileEntry,
    ticket: "when",
    ticketWhen: PRIVILEGED,
    timeoutMs: 10 * SECOND,
    summary:
      "Creates or atomically replaces a link (its target text is the guest's, never resolved on the host)",
  }),
  accounts: op({
    input: z.object({ name: ZContainerName }).strict(),
    output: ZGuestAccounts,
    timeoutMs: 10 * SECOND,
    summary: "The guest's users and groups (its /etc/passwd and /etc/group, read through the rootfs module)",
  }),
  download: op({
    input: z.object({ ...where, readAs: ZReadAs }).strict(),
    output: z.object({ bytes: z.number().int() }).strict(),
    item: bytes(),
    // A file of gigabytes at the client's pace.
    timeoutMs: 6 * 60 * MINUTE,
    summary: "A regular file's bytes, in 64 KiB chunks as the client takes them",
  }),
  tar: op({
    input: z.object({ ...where, readAs: ZReadAs }).strict(),
    output: z.object({ entries: z.number().int(), skipped: z.number().int() }).strict(),
    item: bytes(),
    timeoutMs: 6 * 60 * MINUTE,
    summary:
      "A directory as a tar stream from the entries the safe walk opened: owners as the container sees them, links as links, devices, sockets and FIFOs skipped",
  }),
  upload: op({
    input: z
      .object({ ...where, size: ZUploadSize, mode: ZFileMode.optional(), ticket: ZOptionalTicket })
      .strict(),
    output: ZFileEntry,
    upstream: bytes(),
    ticket: "when",
    ticketWhen: PRIVILEGED,
    timeoutMs: 6 * 60 * MINUTE,
    summary:
      "Writes a file from chunks sent up: a temp file of exactly `size` bytes renamed over the name (removed on failure)",
  }),
};
