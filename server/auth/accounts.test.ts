import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDb, type TDb } from "../db";
import type { AppError } from "../errors";
import { migrateDatabase } from "../launcher/migrate";
import { pruneAudit } from "./audit-retention";
import { createAccounts } from "./accounts";

/** Accounts against a real (temporary) SQLite database, with a clock the test moves. */
const DAY = 24 * 60 * 60 * 1000;
let dir: string;
let db: TDb;
let now = new Date("2026-01-01T00:00:00Z");
const accounts = () => createAccounts({ db, now: () => now, sessionIdleDays: 7, sessionMaxDays: 30 });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "atelier-accounts-"));
  const url = `file:${path.join(dir, "test.db")}`;
  await migrateDatabase(url);
  db = createDb(url);
});
afterAll(async () => {
  await db.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe("sessions", () => {
  it("end after 7 idle days, are extended by use, and never outlive 30 days", async () => {
    const service = accounts();
    const user = await service.createUser({
      username: "sam",
      password: "long-enough-password",
      role: "operator",
    });
    const { token } = await service.startSession(user.id, {});
    expect(await service.authenticateSession(token)).toMatchObject({
      username: "sam",
      role: "operator",
      via: "session",
    });

    for (let day = 6; day <= 29; day += 6) {
      now = new Date(Date.UTC(2026, 0, 1) + day * DAY);
      expect(await service.authenticateSession(token), `day ${day}`).not.toBeNull();
    }
    now = new Date(Date.UTC(2026, 0, 1) + 30 * DAY + 1000);
    expect(await service.authenticateSession(token)).toBeNull();

    const idle = await service.startSession(user.id, {});
    now = new Date(now.getTime() + 7 * DAY + 1000);
    expect(await service.authenticateSession(idle.token)).toBeNull();
  });

  it("stores only a hash of the session token", async () => {
    const service = accounts();
    const user = await service.createUser({
      username: "kim",
      password: "long-enough-password",
      role: "viewer",
    });
    const { token } = await service.startSession(user.id, {});
    const rows = await db.session.findMany({ where: { userId: user.id } });
    expect(rows.map((row) => row.id)).not.toContain(token);
    expect(JSON.stringify(rows)).not.toContain(token);
  });
});

describe("API tokens", () => {
  it("expire, and act with the lower of their role and their owner's", async () => {
    const service = accounts();
    const user = await service.createUser({
      username: "lee",
      password: "long-enough-password",
      role: "operator",
    });
    const { token } = await service.createApiToken(
      { userId: user.id, role: "operator" },
      { name: "ci", role: "operator", expiresDays: 2 },
    );
    expect((await service.authenticateToken(token))?.role).toBe("operator");
    await service.setRole(user.id, "viewer");
    expect((await service.authenticateToken(token))?.role).toBe("viewer");
    now = new Date(now.getTime() + 2 * DAY + 1000);
    expect(await service.authenticateToken(token)).toBeNull();
  });
});

describe("audit retention", () => {
  it("deletes entries older than the retention period and keeps the rest", async () => {
    const old = new Date(Date.now() - 400 * DAY);
    const recent = new Date(Date.now() - 10 * DAY);
    await db.auditEntry.createMany({
      data: [
        { at: old, actor: "a", action: "x.old", result: "ok" },
        { at: recent, actor: "a", action: "x.recent", result: "ok" },
      ],
    });
    const { count } = await pruneAudit(db, 365);
    expect(count).toBe(1);
    expect((await db.auditEntry.findMany()).map((entry) => entry.action)).toEqual(["x.recent"]);
  });
});

describe("sign-in throttle, as signIn uses it (fake clock)", () => {
  it("waits 1 s, then 2 s after the third wrong password, lets the owner in from elsewhere, and stops an address at 20", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-03-01T00:00:00Z"));
    try {
      const service = accounts();
      await service.createUser({ username: "tess", password: "long-enough-password", role: "viewer" });
      const attempt = (password: string, clientAddress: string, username = "tess") =>
        service.signIn({ username, password, clientAddress }).then(
          () => "signed in",
          (error: AppError) => `${error.code} ${error.message}`,
        );
      const from = "10.1.0.1";
      for (let failure = 0; failure < 3; failure += 1)
        expect(await attempt("wrong-password", from)).toMatch(/^UNAUTHORIZED/);
      expect(await attempt("wrong-password", from)).toMatch(/^TOO_MANY_REQUESTS .* try again in 1 s$/);
      // The right password from the same address waits too; from another address it works at once.
      expect(await attempt("long-enough-password", from)).toMatch(/^TOO_MANY_REQUESTS/);
      expect(await attempt("long-enough-password", "10.1.0.2")).toBe("signed in");
      vi.advanceTimersByTime(999);
      expect(await attempt("wrong-password", from)).toMatch(/^TOO_MANY_REQUESTS .* try again in 1 s$/);
      vi.advanceTimersByTime(1);
      expect(await attempt("wrong-password", from)).toMatch(/^UNAUTHORIZED/);
      expect(await attempt("wrong-password", from)).toMatch(/^TOO_MANY_REQUESTS .* try again in 2 s$/);
      vi.advanceTimersByTime(2000);
      expect(await attempt("long-enough-password", from)).toBe("signed in");
      // A success clears the pair: the next wrong password is checked, not delayed.
      expect(await attempt("wrong-password", from)).toMatch(/^UNAUTHORIZED/);

      // 20 failures from one address, each on another (unknown) account, then even the right password waits.
      const address = "10.1.0.9";
      for (let failure = 0; failure < 20; failure += 1)
        expect(await attempt("guess", address, `nobody${failure}`)).toMatch(/^UNAUTHORIZED/);
      expect(await attempt("long-enough-password", address)).toMatch(
        /^TOO_MANY_REQUESTS .* try again in 900 s$/,
      );
      vi.advanceTimersByTime(15 * 60_000);
      expect(await attempt("long-enough-password", address)).toBe("signed in");
    } finally {
      vi.useRealTimers();
    }
  });
});
