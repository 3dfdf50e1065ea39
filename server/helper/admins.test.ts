import { createHmac } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  bindingOf,
  checkTicket,
  enrollAdmin,
  grantAdmin,
  makeTicket,
  readAdmins,
  removeAdmin,
  requireTicket,
  signInAdmin,
  TICKET_HOURS,
  ticketAdmin,
  ticketForToken,
} from "./admins";

/** The helper's tickets, on a state directory of the test's own: who gets one, for how long, and when it stops. */
let stateDir = "";
beforeEach(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "atelier-test-admins-"));
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(stateDir, { recursive: true, force: true });
});

const SECRET = "session-secret-1";
const HOUR = 60 * 60 * 1000;
/** Why a presented ticket is refused ("" when it is not). */
const problemOf = async (presented: string) => {
  const check = await checkTicket(stateDir, presented);
  return check.admin === null ? check.problem : "";
};
const present = (ticket: string | null, secret = SECRET) => `${ticket ?? ""}~${secret}`;
const signIn = (username: string, password: string, expiresAt?: number, secret = SECRET) =>
  signInAdmin(stateDir, username, password, {
    binding: bindingOf(secret),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  });

describe("sign-in and enrolment", () => {
  it("enrols the first admin before the list was ever written, then only the password it knows", async () => {
    const ticket = await signIn("alice", "correct horse");
    expect(await ticketAdmin(stateDir, present(ticket))).toBe("alice");
    expect((await stat(path.join(stateDir, "admins.json"))).mode & 0o777).toBe(0o600);
    expect(await signIn("alice", "wrong")).toBeNull();
    expect(await signIn("mallory", "anything")).toBeNull();
    expect(Object.keys((await readAdmins(stateDir)).admins)).toEqual(["alice"]);
  });

  it("enrols nobody by sign-in once the list was written, even emptied", async () => {
    await enrollAdmin(stateDir, "alice", "pw-alice");
    await removeAdmin(stateDir, "alice");
    expect(await signIn("bob", "pw-bob")).toBeNull();
    expect((await readAdmins(stateDir)).admins).toEqual({});
  });

  it("enrols a granted user at their next sign-in, within the grant's days only", async () => {
    await enrollAdmin(stateDir, "alice", "pw-alice");
    await grantAdmin(stateDir, "bob", 7);
    await grantAdmin(stateDir, "alice", 7);
    expect(Object.keys((await readAdmins(stateDir)).pending ?? {})).toEqual(["bob"]);
    expect(await ticketAdmin(stateDir, present(await signIn("bob", "pw-bob")))).toBe("bob");
    expect((await readAdmins(stateDir)).pending).toEqual({});
    await grantAdmin(stateDir, "carol", 7);
    vi.useFakeTimers({ now: Date.now() + 8 * 24 * HOUR });
    expect(await signIn("carol", "pw-carol")).toBeNull();
  });
});

describe("what a ticket is worth", () => {
  it("ends when the helper says: at most TICKET_HOURS after the sign-in, sooner if asked", async () => {
    const now = Date.now();
    vi.useFakeTimers({ now });
    const far = await signIn("alice", "pw", 8_640_000_000_000_000);
    const short = await signIn("alice", "pw", now + HOUR);
    const check = await checkTicket(stateDir, present(far));
    expect(check.admin === null ? null : check.claims.exp).toBe(now + TICKET_HOURS * HOUR);
    vi.setSystemTime(now + HOUR + 1);
    expect(await ticketAdmin(stateDir, present(short))).toBeNull();
    expect(await ticketAdmin(stateDir, present(far))).toBe("alice");
    vi.setSystemTime(now + TICKET_HOURS * HOUR);
    const expired = await checkTicket(stateDir, present(far));
    expect(expired.admin).toBeNull();
    expect(expired.admin === null && expired.problem).toMatch(/expired.*sign in again/);
  });

  it("is worth nothing without the secret of the session it was made for", async () => {
    const ticket = await signIn("alice", "pw");
    for (const presented of [
      ticket ?? "",
      `${ticket}~`,
      present(ticket, "another-secret"),
      `${ticket}~${SECRET}~x`,
    ])
      expect(await problemOf(presented)).toMatch(/secret/);
    expect(await ticketAdmin(stateDir, present(ticket))).toBe("alice");
  });

  it("is refused when forged, altered, of another helper or of the old kind", async () => {
    const ticket = (await signIn("alice", "pw")) ?? "";
    const [payload = "", signature = ""] = ticket.split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    const altered = Buffer.from(JSON.stringify({ ...claims, u: "root" })).toString("base64url");
    const other = await mkdtemp(path.join(os.tmpdir(), "atelier-test-admins-other-"));
    try {
      const foreign = await makeTicket(other, "alice", Date.now() + HOUR, bindingOf(SECRET));
      const oldKind = Buffer.from(JSON.stringify({ u: "alice", exp: Date.now() + HOUR })).toString(
        "base64url",
      );
      for (const presented of [
        undefined,
        "",
        present(`${altered}.${signature}`),
        present(`${payload}.${signature.slice(1)}`),
        present(foreign),
        present(`${oldKind}.x`),
        present("garbage"),
      ])
        expect(await ticketAdmin(stateDir, presented), String(presented)).toBeNull();
      // A ticket of the old kind (no session binding, no generation), signed with this helper's own key.
      const key = await readFile(path.join(stateDir, "ticket.key"));
      const signed = `${oldKind}.${createHmac("sha256", key).update(oldKind).digest("base64url")}`;
      expect(await problemOf(present(signed))).toMatch(/older kind.*sign in again/);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it("stops for every ticket of an admin whose password changes, who is removed, even enrolled again", async () => {
    await enrollAdmin(stateDir, "alice", "pw");
    const bySignIn = await signIn("alice", "pw");
    const byRoot = await makeTicket(stateDir, "alice", Date.now() + HOUR, bindingOf(SECRET));
    expect(await ticketAdmin(stateDir, present(byRoot))).toBe("alice");
    await enrollAdmin(stateDir, "alice", "new password");
    expect(await ticketAdmin(stateDir, present(bySignIn))).toBeNull();
    expect(await ticketAdmin(stateDir, present(byRoot))).toBeNull();
    const after = await signIn("alice", "new password");
    await removeAdmin(stateDir, "alice");
    expect(await checkTicket(stateDir, present(after))).toEqual({
      admin: null,
      problem: "alice is not an admin the helper knows",
    });
    await enrollAdmin(stateDir, "alice", "new password");
    expect(await problemOf(present(after))).toMatch(/changed since this ticket was made/);
  });

  it("refuses in words what was asked, and gives a token's ticket no later end than its maker's", async () => {
    const ticket = await signIn("alice", "pw", Date.now() + HOUR);
    const refusal = await requireTicket(stateDir, present(null), "Changing the host's network").catch(
      (error: unknown) => error as { code: string; message: string },
    );
    expect(refusal).toMatchObject({ code: "FORBIDDEN" });
    expect((refusal as { message: string }).message).toMatch(
      /^Changing the host's network needs the ticket of an admin/,
    );
    const tokenTicket = await ticketForToken(stateDir, present(ticket), bindingOf("token-secret"));
    const check = await checkTicket(stateDir, present(tokenTicket, "token-secret"));
    expect(check.admin).toBe("alice");
    expect(check.admin === null ? 0 : check.claims.exp).toBeLessThanOrEqual(Date.now() + HOUR);
    expect(await ticketAdmin(stateDir, present(tokenTicket))).toBeNull();
  });

  it("keeps one key: a second call does not replace it", async () => {
    await signIn("alice", "pw");
    const key = await readFile(path.join(stateDir, "ticket.key"));
    expect(key).toHaveLength(32);
    await makeTicket(stateDir, "alice", Date.now() + HOUR, bindingOf(SECRET));
    expect(await readFile(path.join(stateDir, "ticket.key"))).toEqual(key);
  });
});
