import { describe, expect, it } from "vitest";
import { useTempDb } from "@/tests/temp-db";
import { createAccounts } from "./accounts";

/**
 * The composition of users, sessions and tokens (each tested in its own file): what one room's change does to the
 * others', against a real (temporary) SQLite database.
 */
const database = useTempDb("accounts");
const accounts = () => createAccounts({ db: database() });
const PASSWORD = "long-enough-password";

const userWithCredentials = async (service: ReturnType<typeof accounts>, username: string) => {
  const user = await service.createUser({ username, password: PASSWORD, role: "operator" });
  const session = await service.startSession(user.id, {});
  const other = await service.startSession(user.id, {});
  const { token } = await service.createApiToken(
    { userId: user.id, role: "operator" },
    { name: "ci", role: "operator" },
  );
  return { user, session: session.token, other: other.token, token };
};

describe("accounts", () => {
  it("end a disabled user's sessions", async () => {
    const service = accounts();
    const { user, session, token } = await userWithCredentials(service, "dora");
    await service.setDisabled(user.id, true);
    await service.setDisabled(user.id, false);
    expect(await service.authenticateSession(session)).toBeNull();
    expect(await service.authenticateToken(token)).not.toBeNull();
  });

  it("end every session and revoke the tokens at a password reset", async () => {
    const service = accounts();
    const { user, session, other, token } = await userWithCredentials(service, "rita");
    await service.setPassword(user.id, "another-long-password");
    expect(await service.authenticateSession(session)).toBeNull();
    expect(await service.authenticateSession(other)).toBeNull();
    expect(await service.authenticateToken(token)).toBeNull();
  });

  it("keep the session and the tokens a user changed their own password from, and end the other sessions", async () => {
    const service = accounts();
    const { session, other, token } = await userWithCredentials(service, "owen");
    const principal = await service.authenticateSession(session);
    if (!principal) throw new Error("no principal");
    await service.changeOwnPassword(principal, PASSWORD, "another-long-password");
    expect(await service.authenticateSession(session)).not.toBeNull();
    expect(await service.authenticateSession(other)).toBeNull();
    expect(await service.authenticateToken(token)).not.toBeNull();
  });

  it("keep a renewed ticket on the session or the token that presented it", async () => {
    const service = accounts();
    const { session, token } = await userWithCredentials(service, "tina");
    const bySession = await service.authenticateSession(session);
    const byToken = await service.authenticateToken(token);
    if (!bySession || !byToken) throw new Error("no principal");
    await service.keepRenewedTicket(bySession, "renewed-for-the-session");
    await service.keepRenewedTicket(byToken, "renewed-for-the-token");
    const db = database();
    expect((await db.session.findUnique({ where: { id: bySession.sessionId } }))?.adminTicket).toBe(
      "renewed-for-the-session",
    );
    expect((await db.apiToken.findUnique({ where: { id: byToken.tokenId } }))?.adminTicket).toBe(
      "renewed-for-the-token",
    );
  });
});
