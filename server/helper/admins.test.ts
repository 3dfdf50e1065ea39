import { createHmac } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
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
/** A ticket of any content, signed with this helper's own key (as only the helper could). */
const signedWithOwnKey = async (content: string | object) => {
  await makeTicket(stateDir, "alice", Date.now() + HOUR, bindingOf(SECRET));
  const key = await readFile(path.join(stateDir, "ticket.key"));
  const payload = Buffer.from(typeof content === "string" ? content : JSON.stringify(content)).toString(
    "base64url",
  );
  return `${payload}.${createHmac("sha256", key).update(payload).digest("base64url")}`;
};

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

  it("keeps a grant for exactly its days, and not at its last millisecond", async () => {
    const now = Date.now();
    vi.useFakeTimers({ now });
    await enrollAdmin(stateDir, "alice", "pw-alice");
    await grantAdmin(stateDir, "bob", 2);
    expect((await readAdmins(stateDir)).pending).toEqual({ bob: now + 2 * 24 * HOUR });
    await grantAdmin(stateDir, "carol", 0);
    expect(await signIn("carol", "pw-carol")).toBeNull();
    expect(Object.keys((await readAdmins(stateDir)).admins)).toEqual(["alice"]);
  });

  it("takes back a grant not yet used: the user is not enrolled at their next sign-in", async () => {
    await enrollAdmin(stateDir, "alice", "pw-alice");
    await grantAdmin(stateDir, "bob", 7);
    await removeAdmin(stateDir, "bob");
    const store = await readAdmins(stateDir);
    expect(store.pending).toEqual({});
    expect(store.generations).toEqual({ alice: 1, bob: 1 });
    expect(await signIn("bob", "pw-bob")).toBeNull();
  });

  it("writes nothing when removing someone who is neither admin nor granted (the first sign-in still enrols)", async () => {
    await removeAdmin(stateDir, "ghost");
    await expect(stat(path.join(stateDir, "admins.json"))).rejects.toMatchObject({ code: "ENOENT" });
    expect(await ticketAdmin(stateDir, present(await signIn("alice", "pw")))).toBe("alice");
    await removeAdmin(stateDir, "ghost");
    expect((await readAdmins(stateDir)).generations).toEqual({ alice: 1 });
  });

  it("fails on a store it cannot read, rather than taking it for none (which would let anyone enrol)", async () => {
    await mkdir(path.join(stateDir, "admins.json"));
    await expect(readAdmins(stateDir)).rejects.toMatchObject({ code: "EISDIR" });
    await expect(signIn("mallory", "pw")).rejects.toThrow();
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
      why: { problem: "unknownAdmin", admin: "alice" },
    });
    await enrollAdmin(stateDir, "alice", "new password");
    expect(await problemOf(present(after))).toMatch(/changed since this ticket was made/);
  });

  it("refuses in words what was asked, and gives a token's ticket no later end than its maker's", async () => {
    const ticket = await signIn("alice", "pw", Date.now() + HOUR);
    const refusal = await requireTicket(stateDir, present(null), { action: "networkChange" }).catch(
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

  it.each([
    ["no ticket at all", undefined, /^no admin ticket came with the call$/],
    ["an empty ticket", "", /^no admin ticket came with the call$/],
    ["an unsigned text", "garbage~x", /^the ticket is not one this helper signed$/],
  ])("says why it refuses %s", async (_label, presented, problem) => {
    const check = await checkTicket(stateDir, presented);
    expect(check.admin === null && check.problem).toMatch(problem);
  });

  it.each([
    ["not JSON", "not json", /^the ticket cannot be read$/],
    ["without a binding", { u: "alice", exp: 8e15, g: 1 }, /older kind/],
    ["without a generation", { u: "alice", exp: 8e15, b: bindingOf(SECRET) }, /older kind/],
    ["with a text for its expiry", { u: "alice", exp: "8e15", g: 1, b: bindingOf(SECRET) }, /older kind/],
    ["with a number for its admin", { u: 1, exp: 8e15, g: 1, b: bindingOf(SECRET) }, /older kind/],
    ["with a text for its generation", { u: "alice", exp: 8e15, g: "1", b: bindingOf(SECRET) }, /older kind/],
    ["with a number for its binding", { u: "alice", exp: 8e15, g: 1, b: 1 }, /older kind/],
  ])("refuses a ticket signed with its own key but %s", async (_label, content, problem) => {
    await enrollAdmin(stateDir, "alice", "pw");
    expect(await problemOf(present(await signedWithOwnKey(content)))).toMatch(problem);
    // The same claims, well formed, pass: only the part named is wrong.
    expect(
      await problemOf(present(await signedWithOwnKey({ u: "alice", exp: 8e15, g: 1, b: bindingOf(SECRET) }))),
    ).toBe("");
  });

  it("refuses a ticket bound to an empty secret, presented with none", async () => {
    await enrollAdmin(stateDir, "alice", "pw");
    const ticket = await makeTicket(stateDir, "alice", Date.now() + HOUR, bindingOf(""));
    expect(await problemOf(`${ticket}~`)).toMatch(/without the secret/);
  });

  it("says what to do in a refusal, and names the token when a token's ticket is refused", async () => {
    const refusal = (await requireTicket(stateDir, undefined, { action: "enrollAdmin" }).catch(
      (error: unknown) => error,
    )) as { message: string; hint?: string };
    expect(refusal.message).toBe(
      "Enrolling an admin needs the ticket of an admin the helper knows, signed in with their password: no admin ticket came with the call",
    );
    expect(refusal.hint).toMatch(/^Sign in again as an admin with your password/);
    await expect(ticketForToken(stateDir, "garbage~x", bindingOf("t"))).rejects.toThrow(
      /^An admin token that acts in the helper needs the ticket of an admin/,
    );
  });

  it("refuses a key file of another length and leaves it there (root decides)", async () => {
    const key = Buffer.alloc(64, 7);
    await writeFile(path.join(stateDir, "ticket.key"), key, { mode: 0o600 });
    await enrollAdmin(stateDir, "alice", "pw");
    await expect(signIn("alice", "pw")).rejects.toThrow(/not a 32-byte key/);
    expect(await readFile(path.join(stateDir, "ticket.key"))).toEqual(key);
  });

  it("keeps one key: a second call does not replace it", async () => {
    await signIn("alice", "pw");
    const key = await readFile(path.join(stateDir, "ticket.key"));
    expect(key).toHaveLength(32);
    await makeTicket(stateDir, "alice", Date.now() + HOUR, bindingOf(SECRET));
    expect(await readFile(path.join(stateDir, "ticket.key"))).toEqual(key);
  });

  it("signs nothing with a key file of another length (an empty key would make tickets forgeable)", async () => {
    await writeFile(path.join(stateDir, "ticket.key"), "");
    await expect(makeTicket(stateDir, "alice", Date.now() + HOUR, bindingOf(SECRET))).rejects.toThrow(
      /not a 32-byte key/,
    );
    await expect(ticketAdmin(stateDir, present("x.y"))).rejects.toThrow(/not a 32-byte key/);
  });
});
