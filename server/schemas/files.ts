import { z } from "zod";
import { says } from "./issue-words";

/**
 * Files inside a container: what the pages, the API and the helper agree on. Pure (the browser's forms use it too).
 * Paths are the container's own (absolute, as the guest sees them); the helper reaches them through the symlink-safe
 * rootfs module only, never by a host path.
 */

/** Linux's limits: a path of at most PATH_MAX bytes, each component at most NAME_MAX bytes. */
export const MAX_GUEST_PATH_BYTES = 4096;
export const MAX_GUEST_NAME_BYTES = 255;

const byteLength = (text: string) => new TextEncoder().encode(text).length;

/** Whether a path is absolute, with no empty, "." or ".." components and no trailing "/" (except "/" itself). */
export const isGuestPathShape = (value: string) =>
  value === "/" ||
  (value.startsWith("/") &&
    value
      .slice(1)
      .split("/")
      .every((part) => part !== "" && part !== "." && part !== ".."));

/**
 * An absolute path inside the container: starts with "/", at most 4096 bytes, no NUL, no empty, "." or ".."
 * components, no trailing "/" (except "/" itself), each component at most 255 bytes.
 */
export const ZGuestPath = z
  .string(says("validation.files.path"))
  .min(1, says("validation.files.path"))
  .refine((value) => !value.includes("\0"), says("validation.files.nul"))
  .refine((value) => isGuestPathShape(value), says("validation.files.path"))
  .refine(
    (value) =>
      byteLength(value) <= MAX_GUEST_PATH_BYTES &&
      value.split("/").every((part) => byteLength(part) <= MAX_GUEST_NAME_BYTES),
    says("validation.files.pathLong", { max: MAX_GUEST_PATH_BYTES, part: MAX_GUEST_NAME_BYTES }),
  );
export type TGuestPath = z.infer<typeof ZGuestPath>;

/** The components of a guest path ("/" has none). */
export const guestPathParts = (guestPath: string) => (guestPath === "/" ? [] : guestPath.slice(1).split("/"));

/** A guest path's parent ("/" for "/x"; "/" for "/" itself) and its last component ("" for "/"). */
export const guestParentOf = (guestPath: string) => {
  const parts = guestPathParts(guestPath);
  return { parent: `/${parts.slice(0, -1).join("/")}`, name: parts.at(-1) ?? "" };
};

/** A mode's permission bits and its setuid, setgid and sticky bits: 0..0o7777. */
export const MAX_FILE_MODE = 0o7777;
export const ZFileMode = z
  .number(says("validation.files.mode"))
  .int(says("validation.files.mode"))
  .min(0, says("validation.files.mode"))
  .max(MAX_FILE_MODE, says("validation.files.mode"));

/** A user or group as the container knows it (its /etc/passwd or /etc/group name) or a decimal id. */
export const ZOwnerName = z
  .string(says("validation.files.owner"))
  .min(1, says("validation.files.owner"))
  .max(32, says("validation.text.atMost", { max: 32 }))
  .regex(/^(?:[A-Za-z_][A-Za-z0-9_.-]*\$?|[0-9]{1,10})$/, says("validation.files.owner"));

/**
 * Who reads: "root" (operators and admins) reads everything; "other" (viewers) only what the container's "others"
 * may read: a file with o+r, a directory with o+r and o+x.
 */
export const ZReadAs = z.enum(["root", "other"]);
export type TReadAs = z.infer<typeof ZReadAs>;

export const ZFileKind = z.enum(["file", "directory", "symlink", "other"]);
export type TFileKind = z.infer<typeof ZFileKind>;

/** The id a container sees for a host id its map does not reach (the kernel's overflow id). */
export const UNMAPPED_ID = 65534;

/** One entry of a directory, as the container sees it (not followed when it is a link). */
export const ZFileEntry = z
  .object({
    name: z.string(),
    path: z.string(),
    kind: ZFileKind,
    size: z.number().int().nonnegative(),
    mode: z.number().int().min(0).max(MAX_FILE_MODE),
    /** As the container sees them (through its id map); 65534 when unmapped. */
    uid: z.number().int().nonnegative(),
    gid: z.number().int().nonnegative(),
    /** The guest's /etc/passwd and /etc/group names (null when it has none for the id). */
    user: z.string().nullable(),
    group: z.string().nullable(),
    /** ISO 8601. */
    mtime: z.string(),
    /** A link's text (readlink), for display only; null for anything else. */
    linkTarget: z.string().nullable(),
  })
  .strict();
export type TFileEntry = z.infer<typeof ZFileEntry>;

/** A directory listing's bound: entries past it are left out and `isTruncated` says so. */
export const MAX_LIST_ENTRIES = 10_000;

/** What `files.read` answers by default, and at most. */
export const DEFAULT_READ_BYTES = 1024 * 1024;
export const MAX_READ_BYTES = 4 * 1024 * 1024;
/** What `files.write` takes (the editor's text): larger files are uploaded. */
export const MAX_WRITE_BYTES = 4 * 1024 * 1024;

export const ZReadMaxBytes = z.number().int().min(1).max(MAX_READ_BYTES);

/** A file's text as the editor writes it: at most 4 MiB (in UTF-8). */
export const ZFileContent = z
  .string()
  .refine((value) => byteLength(value) <= MAX_WRITE_BYTES, says("validation.files.contentLong", { max: 4 }));

/** A link's target: the guest's text, never resolved on the host. */
export const MAX_LINK_TARGET_BYTES = 4095;
export const ZLinkTarget = z
  .string()
  .min(1, says("validation.files.linkTarget", { max: MAX_LINK_TARGET_BYTES }))
  .refine(
    (value) => !value.includes("\0") && byteLength(value) <= MAX_LINK_TARGET_BYTES,
    says("validation.files.linkTarget", { max: MAX_LINK_TARGET_BYTES }),
  );

/** An upload's size: a file of up to 1 TiB. */
export const ZUploadSize = z
  .number()
  .int()
  .min(0)
  .max(2 ** 40);

export const ZFileListing = z
  .object({
    path: z.string(),
    entries: z.array(ZFileEntry),
    isTruncated: z.boolean(),
    isRunning: z.boolean(),
  })
  .strict();
export type TFileListing = z.infer<typeof ZFileListing>;

export const ZFileRead = z
  .object({
    entry: ZFileEntry,
    /** The text read ("" when it is binary). */
    content: z.string(),
    /** A NUL byte or invalid UTF-8 in what was read. */
    isBinary: z.boolean(),
    isTruncated: z.boolean(),
  })
  .strict();
export type TFileRead = z.infer<typeof ZFileRead>;

export const ZGuestAccounts = z
  .object({
    users: z.array(z.object({ name: z.string(), uid: z.number().int() }).strict()),
    groups: z.array(z.object({ name: z.string(), gid: z.number().int() }).strict()),
  })
  .strict();
export type TGuestAccounts = z.infer<typeof ZGuestAccounts>;
