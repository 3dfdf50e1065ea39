import { describe, expect, it } from "vitest";
import { useTempDb } from "@/tests/temp-db";
import { pruneAudit } from "./audit-retention";

const DAY = 24 * 60 * 60 * 1000;
const database = useTempDb("audit");

describe("audit retention", () => {
  it("deletes entries older than the retention period and keeps the rest", async () => {
    const db = database();
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
