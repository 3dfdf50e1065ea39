/**
 * The shapes the Files tab reads, as agreed for server/schemas/files.ts (ZFileEntry) and the `files` router.
 * Kept here until the shared schemas land, then re-exported from them.
 */
export type TFileKind = "file" | "directory" | "symlink" | "other";

export type TFileEntry = {
  name: string;
  path: string;
  kind: TFileKind;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  user: string | null;
  group: string | null;
  mtime: string;
  linkTarget: string | null;
};

export type TShortcutKey = "fstab" | "network" | "hostname" | "hosts" | "resolv" | "init";
