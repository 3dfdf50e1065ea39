/**
 * The Files tab's pure pieces: paths (the breadcrumb, going up, joining a name), a mode as `ls -l` writes it and as
 * octal, the chmod form's bits, and the upload URL. No React here, so the unit tests read them directly.
 */
import type { TFileEntry } from "./files-types";

/** "/etc/network" → [{ name: "/", path: "/" }, { name: "etc", path: "/etc" }, { name: "network", path: "/etc/network" }]. */
export const crumbsOf = (path: string) => {
  const parts = path.split("/").filter(Boolean);
  return [
    { name: "/", path: "/" },
    ...parts.map((name, index) => ({ name, path: `/${parts.slice(0, index + 1).join("/")}` })),
  ];
};

/** The directory holding `path` ("/" stays "/"). */
export const parentOf = (path: string) => {
  const cut = path.replace(/\/+$/, "").lastIndexOf("/");
  return cut <= 0 ? "/" : path.slice(0, cut);
};

/** The last component of `path` ("/" for the root). */
export const baseNameOf = (path: string) => {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed === "" ? "/" : trimmed.slice(trimmed.lastIndexOf("/") + 1);
};

/** `name` inside the directory `directory`. */
export const joinPath = (directory: string, name: string) =>
  directory === "/" ? `/${name}` : `${directory}/${name}`;

/**
 * What the user typed in the path bar, as the server's absolute path: leading "/" added, repeated and trailing
 * slashes dropped, "." dropped and ".." resolved (the server refuses both; typing them is still natural). Null when
 * nothing usable is left to go to (empty input).
 */
export const normalizeTypedPath = (typed: string): string | null => {
  const trimmed = typed.trim();
  if (trimmed === "") return null;
  const parts: string[] = [];
  for (const part of trimmed.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
};

/** A name a new file, directory or rename may take: one component, not "." or "..", no "/" or NUL. */
export const isValidName = (name: string) =>
  name !== "" &&
  name !== "." &&
  name !== ".." &&
  !name.includes("/") &&
  !name.includes("\0") &&
  new TextEncoder().encode(name).length <= 255;

const KIND_LETTER: Record<TFileEntry["kind"], string> = {
  file: "-",
  directory: "d",
  symlink: "l",
  other: "?",
};

/** The mode as `ls -l` writes it: "drwxr-xr-x", "-rwsr-xr-x", "drwxrwxrwt". */
export const modeText = (mode: number, kind: TFileEntry["kind"] = "file") => {
  const triple = (shift: number, special: boolean, specialLetter: string) => {
    const bits = (mode >> shift) & 7;
    const execute = bits & 1;
    const x = special ? (execute ? specialLetter : specialLetter.toUpperCase()) : execute ? "x" : "-";
    return `${bits & 4 ? "r" : "-"}${bits & 2 ? "w" : "-"}${x}`;
  };
  return (
    KIND_LETTER[kind] +
    triple(6, (mode & 0o4000) !== 0, "s") +
    triple(3, (mode & 0o2000) !== 0, "s") +
    triple(0, (mode & 0o1000) !== 0, "t")
  );
};

/** "0755", "4755": four octal digits, as chmod takes them. */
export const octalOf = (mode: number) => (mode & 0o7777).toString(8).padStart(4, "0");

/** The octal field's text as a mode, or null when it is not 1 to 4 octal digits. */
export const parseOctal = (text: string): number | null => {
  const trimmed = text.trim();
  return /^[0-7]{1,4}$/.test(trimmed) ? Number.parseInt(trimmed, 8) : null;
};

/** The chmod form's checkboxes, in their order: who (user, group, others) and what (read, write, execute). */
export const MODE_BITS = [
  { who: "user", what: "read", bit: 0o400 },
  { who: "user", what: "write", bit: 0o200 },
  { who: "user", what: "execute", bit: 0o100 },
  { who: "group", what: "read", bit: 0o040 },
  { who: "group", what: "write", bit: 0o020 },
  { who: "group", what: "execute", bit: 0o010 },
  { who: "others", what: "read", bit: 0o004 },
  { who: "others", what: "write", bit: 0o002 },
  { who: "others", what: "execute", bit: 0o001 },
] as const;

/** The chmod form's rows and columns. */
export const PERMISSION_WHO = ["user", "group", "others"] as const;
export const PERMISSION_WHAT = ["read", "write", "execute"] as const;

/** What a row offers those who may change files, in its order. */
export const ENTRY_ACTIONS = ["rename", "chmod", "chown", "delete"] as const;

/** Between a link and its target, in every language. */
export const POINTS_TO = "→";

export const SPECIAL_BITS = [
  { what: "setuid", bit: 0o4000 },
  { what: "setgid", bit: 0o2000 },
  { what: "sticky", bit: 0o1000 },
] as const;

/** `mode` with `bit` set or cleared. */
export const withBit = (mode: number, bit: number, isSet: boolean) => (isSet ? mode | bit : mode & ~bit);

/** "root:root", or the ids where the guest has no name for them ("1000:1000"). */
export const ownerText = (entry: Pick<TFileEntry, "uid" | "gid" | "user" | "group">) =>
  `${entry.user ?? entry.uid}:${entry.group ?? entry.gid}`;

/** The streaming endpoint of a path: GET downloads it (a directory as a tar), PUT uploads to it. */
export const filesUrl = (name: string, path: string, mode?: number) => {
  const query = new URLSearchParams({ path });
  if (mode !== undefined) query.set("mode", octalOf(mode));
  return `/api/containers/${encodeURIComponent(name)}/files?${query.toString()}`;
};

/** What a download is saved as: the file's name, or the directory's with ".tar" ("root.tar" for "/"). */
export const downloadNameOf = (entry: Pick<TFileEntry, "path" | "kind">) => {
  const base = entry.path === "/" ? "root" : baseNameOf(entry.path);
  return entry.kind === "directory" ? `${base}.tar` : base;
};

/** Directories first, then by name (the server sorts so already; the table keeps to it whatever it gets). */
export const sortEntries = <T extends Pick<TFileEntry, "kind" | "name">>(entries: readonly T[]) =>
  [...entries].sort((a, b) => {
    const aDir = a.kind === "directory" ? 0 : 1;
    const bDir = b.kind === "directory" ? 0 : 1;
    return aDir - bDir || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  });

/** Whether the editor may open an entry: a regular file, or a link (the server reads what it points to). */
export const isOpenable = (entry: Pick<TFileEntry, "kind">) =>
  entry.kind === "file" || entry.kind === "symlink";
