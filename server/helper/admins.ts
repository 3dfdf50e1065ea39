import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { constants } from "node:fs";
import { link, lstat, mkdir, open, readFile, unlink } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { burnPasswordCheck, hashPassword, hashSecret, verifyPassword } from "../auth/secrets";
import { AppError, said, type TErrorParams } from "../errors";
import { writeAtomically } from "./write-atomically";

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
 *
 * A ticket is the helper's, not the web tier's, in every part that matters:
 * - its expiry is set here: at most TICKET_HOURS after the sign-in (the web tier may ask for less), so that a
 *   ticket read out of the database is worth little for long; admin-only work after that needs a fresh sign-in;
 * - it is bound to the secret of the session (or API token) it was made for: it names the SHA-256 of that secret,
 *   and every ticketed call presents the secret with it (`presented`: TICKET~SECRET). The database keeps only the
 *   ticket and the secret's hash, so a web tier that reads its database cannot use the tickets stored there;
 * - it carries the admin's generation, which every enrolment (a password set) and removal (a demotion, a disable)
 *   bumps: every ticket of that admin made before, by a sign-in or by root's `atelier token create`, is void.
 */
export const TICKET_HOURS = 12;
const TICKET_MS = TICKET_HOURS * 60 * 60 * 1000;
const ZStore = z
  .object({
    admins: z.record(z.string(), z.string()),
    /** Users made admin (by an enrolled admin) who are enrolled at their next sign-in, until this time (ms). */
    pending: z.record(z.string(), z.number()).optional(),
    /** Bumped by each enrolment and removal of the admin: tickets of an older generation are void. */
    generations: z.record(z.string(), z.number().int().nonnegative()).optional(),
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

const generationOf = (store: TStore, username: string) => store.generations?.[username] ?? 0;
const bump = (store: TStore, username: string) => {
  store.generations = { ...store.generations, [username]: generationOf(store, username) + 1 };
};

/**
 * Sets (or replaces) an admin's password in the helper's store, voiding every ticket the admin had. Root only: the
 * helper, or the CLI run as root.
 */
export const enrollAdmin = async (stateDir: string, username: string, password: string) => {
  const store = await readAdmins(stateDir);
  store.admins[username] = await hashPassword(password);
  if (store.pending) delete store.pending[username];
  bump(store, username);
  await writeAdmins(stateDir, store);
};

/** A user made admin: enrolled with the password of their next sign-in, within `days`. */
export const grantAdmin = async (stateDir: string, username: string, days = 7) => {
  const store = await readAdmins(stateDir);
  if (username in store.admins) return;
  store.pending = { ...store.pending, [username]: Date.now() + days * 24 * 60 * 60 * 1000 };
  await writeAdmins(stateDir, store);
};

/** No longer an admin: off the list, and every ticket of theirs void (also should they be enrolled again later). */
export const removeAdmin = async (stateDir: string, username: string) => {
  const store = await readAdmins(stateDir);
  if (!(username in store.admins) && !store.pending?.[username]) return;
  delete store.admins[username];
  if (store.pending) delete store.pending[username];
  bump(store, username);
  await writeAdmins(stateDir, store);
};

/** The helper's key, made once (written whole under another name, then linked: never half a key, never two). */
const ticketKey = async (stateDir: string): Promise<Buffer> => {
  const existing = await readFile(keyFile(stateDir)).catch(() => null);
  if (existing && existing.length === 32) return existing;
  // A key file of another length (empty, cut short) would sign forgeable tickets: never used, never replaced.
  if (existing) throw new AppError("INTERNAL", said("ticketKeyInvalid", { file: keyFile(stateDir) }));
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
  const key = await readFile(keyFile(stateDir));
  if (key.length !== 32)
    throw new AppError("INTERNAL", said("ticketKeyWrongLength", { file: keyFile(stateDir) }));
  return key;
};

const sign = (key: Buffer, payload: string) => createHmac("sha256", key).update(payload).digest("base64url");

/** What a session's or token's secret is bound by (ZBinding, ../contract/admins.ts): its SHA-256. */
export const bindingOf = (secret: string) => hashSecret(secret);

type TClaims = { u: string; exp: number; g: number; b: string };

/**
 * A ticket for `username` until `expiresAt` (ms), bound to the secret whose hash is `binding`, of the admin's
 * generation now: the helper's at sign-in (expiry capped there), root's (the CLI) for a token.
 */
export const makeTicket = async (stateDir: string, username: string, expiresAt: number, binding: string) => {
  const store = await readAdmins(stateDir);
  const claims: TClaims = { u: username, exp: expiresAt, g: generationOf(store, username), b: binding };
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  return `${payload}.${sign(await ticketKey(stateDir), payload)}`;
};

const same = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/** Why a ticket does not do, as the refusals' sentences name it (their `problem` select in the catalogue). */
export type TTicketWhy =
  | { problem: "noTicket" | "notSigned" | "unreadable" | "olderKind" | "noSecret" }
  | { problem: "expired"; hours: number }
  | { problem: "unknownAdmin" | "changed"; admin: string };

export type TTicketCheck =
  { admin: string; claims: TClaims } | { admin: null; problem: string; why: TTicketWhy };

/** A refusal: why, in English words (the log's, a test's) and as the catalogue's values. */
const notValid = (problem: string, why: TTicketWhy): TTicketCheck => ({ admin: null, problem, why });

/**
 * A presented ticket judged: signed with this helper's key, presented with the secret it is bound to, not expired,
 * of an admin still enrolled and of their current generation. Otherwise why not, in words for the refusal.
 */
export const checkTicket = async (stateDir: string, presented: string | undefined): Promise<TTicketCheck> => {
  if (!presented) return notValid("no admin ticket came with the call", { problem: "noTicket" });
  const parts = presented.split("~");
  const [ticket = ""] = parts;
  const secret = parts.length === 2 ? parts[1] : undefined;
  const [payload = "", signature = ""] = ticket.split(".");
  if (!same(sign(await ticketKey(stateDir), payload), signature))
    return notValid("the ticket is not one this helper signed", { problem: "notSigned" });
  let claims: Partial<Record<keyof TClaims, unknown>>;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as typeof claims;
  } catch {
    return notValid("the ticket cannot be read", { problem: "unreadable" });
  }
  const { u, exp, g, b } = claims;
  if (typeof u !== "string" || typeof exp !== "number" || typeof g !== "number" || typeof b !== "string")
    return notValid(
      "the ticket is of an older kind (not bound to a session): sign in again with your password",
      { problem: "olderKind" },
    );
  if (secret === undefined || secret === "" || !same(bindingOf(secret), b))
    return notValid("the ticket came without the secret of the session it was made for", {
      problem: "noSecret",
    });
  if (exp <= Date.now())
    return notValid(
      `your admin ticket expired (the helper's tickets last at most ${TICKET_HOURS} h after a sign-in): sign in again with your password`,
      { problem: "expired", hours: TICKET_HOURS },
    );
  const store = await readAdmins(stateDir);
  if (!(u in store.admins))
    return notValid(`${u} is not an admin the helper knows`, { problem: "unknownAdmin", admin: u });
  if (g !== generationOf(store, u))
    return notValid(
      `${u}'s password or role changed since this ticket was made: sign in again with your password`,
      {
        problem: "changed",
        admin: u,
      },
    );
  return { admin: u, claims: { u, exp, g, b } };
};

/** The admin a presented ticket names, if it is valid (checkTicket), else null. */
export const ticketAdmin = async (stateDir: string, presented: string | undefined): Promise<string | null> =>
  (await checkTicket(stateDir, presented)).admin;

/**
 * What was asked on an admin's ticket, as the refusal's sentence names it (its `action` select in the catalogue):
 * the values of a restore are the first admin-only line it brings back (privilegedChangeWords).
 */
export type TTicketAction =
  | {
      action:
        | "adminToken"
        | "enrollAdmin"
        | "grantAdmin"
        | "hostFix"
        | "keepSetuid"
        | "natStart"
        | "natStop"
        | "networkChange"
        | "networkPersist";
    }
  | { action: "rootfsWrite"; name: string }
  | { action: "privilegedContainer"; name: string }
  | { action: "privilegedShell"; name: string }
  | { action: "privilegedPackages"; name: string }
  | { action: "privilegedFiles"; name: string }
  | { action: "privilegedService"; name: string }
  | { action: "bindChown"; name: string; source: string }
  | { action: "passThrough"; name: string; id: number }
  | ({ action: "restore"; snapshot: string; name: string; kind: "added" | "removed" } & TErrorParams);

/** The admin of a valid ticket, or a refusal (403) that says what was asked and why the ticket did not do. */
export const requireTicket = async (stateDir: string, presented: string | undefined, what: TTicketAction) => {
  const check = await checkTicket(stateDir, presented);
  if (check.admin !== null) return check;
  throw new AppError("FORBIDDEN", said("adminTicketRequired", { ...what, ...check.why }));
};

/** The ticket of an API token made from a valid ticket: the same admin and generation, no later expiry. */
export const ticketForToken = async (stateDir: string, presented: string, binding: string) => {
  const check = await requireTicket(stateDir, presented, { action: "adminToken" });
  return makeTicket(stateDir, check.admin, check.claims.exp, binding);
};

/**
 * An admin's sign-in, checked by the helper: a ticket if the password is the one the helper knows (or the list was
 * never written, or an admin made this user admin: this one is enrolled), else null. The ticket is bound to
 * `binding` (the session's secret's hash) and ends at `expiresAt` if asked, and at most TICKET_HOURS from now.
 */
export const signInAdmin = async (
  stateDir: string,
  username: string,
  password: string,
  { binding, expiresAt = Infinity }: { binding: string; expiresAt?: number },
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
  return makeTicket(stateDir, username, Math.min(expiresAt, Date.now() + TICKET_MS), binding);
};
