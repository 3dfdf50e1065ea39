import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { constants } from "node:fs";
import { link, lstat, mkdir, open, readFile, unlink } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { burnPasswordCheck, hashPassword, verifyPassword } from "../auth/secrets";
import { writeAtomically } from "../lxc-config/write";

/**
 * The admins the helper itself knows, so that the lines only an admin may write (hooks, host mounts, device rules...)
 * do not rest on the web tier's word: the helper keeps each admin's password hash (its own copy, root only) and a
 * key. An admin who signs in has the helper check the password and gets a ticket (the name and an expiry, signed with
 * that key) that the web tier keeps with the session and hands to `config.write`; an admin-only change without a
 * valid ticket is refused. A compromised web tier can use the tickets of admins signed in meanwhile, never make one.
 *
 * Enrolment: the first admin to sign in before the list was ever written is enrolled (the first run, or an install
 * older than this; a list emptied later stays closed: root enrols again); after that an admin is enrolled by an enrolled admin's ticket (a new admin, a password change; a user
 * made admin is enrolled at their next sign-in within a week), or by root on the host (`atelier user passwd`, which
 * writes this file directly).
 */
const ZStore = z
  .object({
    admins: z.record(z.string(), z.string()),
    /** Users made admin (by an enrolled admin) who are enrolled at their next sign-in, until this time (ms). */
    pending: z.record(z.string(), z.number()).optional(),
  })
  .strict();
type TStore = z.infer<typeof ZStore>;

const storeFile = (stateDir: string) => path.join(stateDir, "admins.json");
const keyFile = (stateDir: string) => path.join(stateDir, "ticket.key");

export const readAdmins = async (stateDir: string): Promise<TStore> => {
  const text = await readFile(storeFile(stateDir), "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
  return text === null ? { admins: {} } : ZStore.parse(JSON.parse(text));
};

/** Written whole (old or new content, never a mix), root's 0600. */
const writeAdmins = async (stateDir: string, store: TStore) => {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await writeAtomically(storeFile(stateDir), `${JSON.stringify(store, null, 2)}\n`, { newMode: 0o600 });
};

/** Whether the list was ever written: only before that may the first admin to sign in enrol themselves. */
const hasStore = async (stateDir: string) => (await lstat(storeFile(stateDir)).catch(() => null)) !== null;

/** Sets (or replaces) an admin's password in the helper's store. Root only: the helper, or the CLI run as root. */
export const enrollAdmin = async (stateDir: string, username: string, password: string) => {
  const store = await readAdmins(stateDir);
  store.admins[username] = await hashPassword(password);
  if (store.pending) delete store.pending[username];
  await writeAdmins(stateDir, store);
};

/** A user made admin: enrolled with the password of their next sign-in, within `days`. */
export const grantAdmin = async (stateDir: string, username: string, days = 7) => {
  const store = await readAdmins(stateDir);
  if (username in store.admins) return;
  store.pending = { ...store.pending, [username]: Date.now() + days * 24 * 60 * 60 * 1000 };
  await writeAdmins(stateDir, store);
};

export const removeAdmin = async (stateDir: string, username: string) => {
  const store = await readAdmins(stateDir);
  if (!(username in store.admins) && !store.pending?.[username]) return;
  delete store.admins[username];
  if (store.pending) delete store.pending[username];
  await writeAdmins(stateDir, store);
};

/** The helper's key, made once (written whole under another name, then linked: never half a key, never two). */
const ticketKey = async (stateDir: string): Promise<Buffer> => {
  const existing = await readFile(keyFile(stateDir)).catch(() => null);
  if (existing && existing.length === 32) return existing;
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const temporary = `${keyFile(stateDir)}.${randomBytes(6).toString("hex")}`;
  const handle = await open(
    temporary,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    await handle.writeFile(randomBytes(32));
    await handle.sync();
  } finally {
    await handle.close();
  }
  // link() fails if a key is already there (made meanwhile): that one is kept.
  await link(temporary, keyFile(stateDir)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  });
  await unlink(temporary);
  return readFile(keyFile(stateDir));
};

const sign = (key: Buffer, payload: string) => createHmac("sha256", key).update(payload).digest("base64url");

/** A ticket for `username` until `expiresAt` (ms): the helper's at sign-in, root's (the CLI) for a token. */
export const makeTicket = async (stateDir: string, username: string, expiresAt: number) => {
  const payload = Buffer.from(JSON.stringify({ u: username, exp: expiresAt })).toString("base64url");
  return `${payload}.${sign(await ticketKey(stateDir), payload)}`;
};

/** The admin a ticket names, if it is signed with this helper's key, not expired, and the admin still enrolled. */
export const ticketAdmin = async (stateDir: string, ticket: string | undefined): Promise<string | null> => {
  if (!ticket) return null;
  const [payload = "", signature = ""] = ticket.split(".");
  const expected = Buffer.from(sign(await ticketKey(stateDir), payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  let claims: { u?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as typeof claims;
  } catch {
    return null;
  }
  if (typeof claims.u !== "string" || typeof claims.exp !== "number" || claims.exp <= Date.now()) return null;
  const store = await readAdmins(stateDir);
  return claims.u in store.admins ? claims.u : null;
};

/**
 * An admin's sign-in, checked by the helper: a ticket if the password is the one the helper knows (or the list was
 * never written, or an admin made this user admin: this one is enrolled), else null.
 */
export const signInAdmin = async (
  stateDir: string,
  username: string,
  password: string,
  expiresAt: number,
) => {
  const store = await readAdmins(stateDir);
  const known = store.admins[username];
  if (known === undefined) {
    const isGranted = (store.pending?.[username] ?? 0) > Date.now();
    if (!isGranted && (await hasStore(stateDir))) {
      await burnPasswordCheck(password);
      return null;
    }
    await enrollAdmin(stateDir, username, password);
  } else if (!(await verifyPassword(known, password))) return null;
  return makeTicket(stateDir, username, expiresAt);
};
