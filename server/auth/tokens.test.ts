import { describe, expect, it } from "vitest";
import { useTempDb } from "@/tests/temp-db";
import { createTokens } from "./tokens";

/** API tokens against a real (temporary) SQLite database, with a clock the test moves. */
const DAY = 24 * 60 * 60 * 1000;
const database = useTempDb("tokens");
let now = new Date("2026-01-01T00:00:00Z");
const tokens = () => createTokens({ db: database(), now: () => now });
const user = (username: string, role: string) =>
  database().user.create({ data: { username, role, passwordHash: "not used here" } });

describe("API tokens", () => {
  it("expire, and act with the lower of their role and their owner's", async () => {
    const service = tokens();
    const lee = await user("lee", "operator");
    const { token } = await service.createApiToken(
      { userId: lee.id, role: "operator" },
      { name: "ci", role: "operator", expiresDays: 2 },
    );
    expect((await service.authenticateToken(token))?.role).toBe("operator");
    await database().user.update({ where: { id: lee.id }, data: { role: "viewer" } });
    expect((await service.authenticateToken(token))?.role).toBe("viewer");
    now = new Date(now.getTime() + 2 * DAY + 1000);
    expect(await service.authenticateToken(token)).toBeNull();
  });

  it("are revoked all at once for their owner, no one else's", async () => {
    const service = tokens();
    const [ada, ben] = [await user("ada", "operator"), await user("ben", "operator")];
    const owner = (id: number) => ({ userId: id, role: "operator" as const });
    const made = [
      await service.createApiToken(owner(ada.id), { name: "one", role: "viewer" }),
      await service.createApiToken(owner(ada.id), { name: "two", role: "operator" }),
    ];
    const other = await service.createApiToken(owner(ben.id), { name: "one", role: "viewer" });
    await service.revokeAllOf(ada.id);
    for (const { token } of made) expect(await service.authenticateToken(token)).toBeNull();
    expect(await service.authenticateToken(other.token)).not.toBeNull();
  });
});
