import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type TDb } from "../db";
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
