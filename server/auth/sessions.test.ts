import { describe, expect, it, vi } from "vitest";
import { useTempDb } from "@/tests/temp-db";
import type { AppError } from "../errors";
import { hashPassword } from "./secrets";
import { createSessions } from "./sessions";

/** Sign-in and sessions against a real (temporary) SQLite database, with a clock the test moves. */
const DAY = 24 * 60 * 60 * 1000;
const database = useTempDb("sessions");
let now = new Date("2026-01-01T00:00:00Z");
const sessions = () =>
  createSessions({ db: database(), now: () => now, sessionIdleDays: 7, sessionMaxDays: 30 });
const user = async (username: string, role = "viewer") =>
  database().user.create({
    data: { username, role, passwordHash: await hashPassword("long-enough-password") },
  });

describe("sessions", () => {
  it("end after 7 idle days, are extended by use, and never outlive 30 days", async () => {
    const service = sessions();
    const sam = await user("sam", "operator");
    const { token } = await service.startSession(sam.id, {});
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

    const idle = await service.startSession(sam.id, {});
    now = new Date(now.getTime() + 7 * DAY + 1000);
    expect(await service.authenticateSession(idle.token)).toBeNull();
  });

  it("stores only a hash of the session token", async () => {
    const service = sessions();
    const kim = await user("kim");
    const { token } = await service.startSession(kim.id, {});
    const rows = await database().session.findMany({ where: { userId: kim.id } });
    expect(rows.map((row) => row.id)).not.toContain(token);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it("end all of a user's at once, but the one kept, and no one else's", async () => {
    const service = sessions();
    const [ann, bob] = [await user("ann"), await user("bob")];
    const [first, kept, others] = [
      await service.startSession(ann.id, {}),
      await service.startSession(ann.id, {}),
      await service.startSession(bob.id, {}),
    ];
    const keptId = (await service.authenticateSession(kept.token))?.sessionId;
    await service.endAllOf(ann.id, keptId);
    expect(await service.authenticateSession(first.token)).toBeNull();
    expect(await service.authenticateSession(kept.token)).not.toBeNull();
    await service.endAllOf(ann.id);
    expect(await service.authenticateSession(kept.token)).toBeNull();
    expect(await service.authenticateSession(others.token)).not.toBeNull();
  });
});

describe("sign-in throttle, as signIn uses it (fake clock)", () => {
  it("waits 1 s, then 2 s after the third wrong password, lets the owner in from elsewhere, and stops an address at 20", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-03-01T00:00:00Z"));
    try {
      const service = sessions();
      await user("tess");
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
