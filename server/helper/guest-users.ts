import { readFile } from "node:fs/promises";
/**
 * What the helper reads of a running container before it starts a shell or a command in it: the guest's own
 * accounts (its /etc/passwd, as its `cat` prints it: hostile text, read strictly) and its init's id maps (the
 * kernel's /proc/PID/uid_map and gid_map).
 */

export type TGuestUser = { name: string; uid: number; gid: number; home: string; shell: string };

/** A path the guest names that the helper passes on (HOME, the login shell): absolute, plain characters only. */
const PLAIN_PATH = /^\/[A-Za-z0-9_.+@/-]{0,254}$/;
const ID = /^(0|[1-9][0-9]{0,9})$/;
/** Accounts with no login: their shell starts nothing, so /bin/sh is started instead. */
const NO_LOGIN = /\/(nologin|false|sync|halt|shutdown)$/;

/**
 * The accounts of a passwd text, by name: `name:password:uid:gid:gecos:home:shell`. A line of another shape, an id
 * that is not plain decimal below 2^32 - 1, or a name seen before (the first wins, as getpwnam's does) is skipped;
 * a home that is not a plain absolute path becomes "/", a shell that is not one (or a no-login shell) /bin/sh.
 */
export const parseGuestPasswd = (text: string) => {
  const users = new Map<string, TGuestUser>();
  for (const line of text.split("\n")) {
    const fields = line.split(":");
    if (fields.length !== 7) continue;
    const [name = "", , uidText = "", gidText = "", , home = "", shell = ""] = fields;
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(name) || name.length > 32 || users.has(name)) continue;
    if (!ID.test(uidText) || !ID.test(gidText)) continue;
    const uid = Number(uidText);
    const gid = Number(gidText);
    if (uid >= 2 ** 32 - 1 || gid >= 2 ** 32 - 1) continue;
    const isPlain = (value: string) => PLAIN_PATH.test(value) && !value.split("/").includes("..");
    users.set(name, {
      name,
      uid,
      gid,
      home: isPlain(home) ? home : "/",
      shell: isPlain(shell) && !NO_LOGIN.test(shell) ? shell : "/bin/sh",
    });
  }
  return users;
};

/**
 * Whether an id map (the text of /proc/PID/uid_map or gid_map: "inside outside count" lines) lets the namespace act
 * as host id 0: some range's host side covers 0. An empty or unreadable map counts as reaching it.
 */
export const reachesHostRoot = (text: string) => {
  const lines = text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  if (lines.length === 0) return true;
  return lines.some((line) => {
    const [, outside, count] = line.split(/\s+/).map(Number);
    if (outside === undefined || count === undefined || !Number.isFinite(outside) || !Number.isFinite(count))
      return true;
    return outside <= 0 && 0 < outside + count;
  });
};

export type TGuestGroup = { name: string; gid: number };

/**
 * The groups of a group text, by name: `name:password:gid:members`. A line of another shape, a gid that is not plain
 * decimal below 2^32 - 1, or a name seen before (the first wins, as getgrnam's does) is skipped.
 */
export const parseGuestGroup = (text: string) => {
  const groups = new Map<string, TGuestGroup>();
  for (const line of text.split("\n")) {
    const fields = line.split(":");
    if (fields.length !== 4) continue;
    const [name = "", , gidText = ""] = fields;
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(name) || name.length > 32 || groups.has(name)) continue;
    if (!ID.test(gidText)) continue;
    const gid = Number(gidText);
    if (gid >= 2 ** 32 - 1) continue;
    groups.set(name, { name, gid });
  }
  return groups;
};

/**
 * Whether a running container's init (PID) acts as host root, in the kernel's own words: its uid or gid map reaches
 * host id 0, or cannot be read (the init has just exited: that is no proof of isolation).
 */
export const initReachesHostRoot = async (pid: number) => {
  const maps = await Promise.all(
    ["uid_map", "gid_map"].map((file) => readFile(`/proc/${pid}/${file}`, "utf8").catch(() => null)),
  );
  return maps.some((text) => text === null || reachesHostRoot(text));
};
