import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";

/** argon2id with the library's defaults (memory-hard, ~0.1 s here). */
export const hashPassword = (password: string) => hash(password);

export const verifyPassword = async (passwordHash: string, password: string) => {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
};

/** A hash to verify against when the user does not exist, so that answering takes as long either way. */
let dummyHash: Promise<string> | undefined;
export const burnPasswordCheck = async (password: string) => {
  dummyHash ??= hashPassword("atelier-dummy-password");
  await verifyPassword(await dummyHash, password);
};

/** A random secret (256 bits) with a readable prefix: "atl_s_…" for sessions, "atl_t_…" for API tokens. */
export const newSecret = (kind: "s" | "t" | "setup") =>
  `atl_${kind}_${randomBytes(32).toString("base64url")}`;

/** Secrets are stored only as their SHA-256; a lookup by hash never compares the secret itself. */
export const hashSecret = (secret: string) => createHash("sha256").update(secret).digest("hex");

/**
 * An admin ticket as a call to the helper presents it: the stored ticket (server/helper/admins.ts) with the secret of
 * the session or token it is bound to, which the database never holds. Built in memory per request, never stored.
 */
export const presentTicket = (ticket: string, secret: string) => `${ticket}~${secret}`;

export const safeEqual = (a: string, b: string) => {
  const left = Buffer.from(hashSecret(a));
  const right = Buffer.from(hashSecret(b));
  return timingSafeEqual(left, right);
};
