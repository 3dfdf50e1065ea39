import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "@/server/db";
import { appRouter } from "@/server/trpc/routers/_app";
import { lxcPath } from "../lxc-oracle";
import { callProcedure, startServer, type TRunningServer } from "../server";

/**
 * Generated from the router itself, so that a procedure cannot be added unprotected: every procedure refuses a
 * request without credentials, every mutation refuses a viewer, every admin procedure refuses an operator.
 */
type TProcedure = { _def: { type: "query" | "mutation" | "subscription" } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, TProcedure>).map(
  ([path, procedure]) => ({
    path,
    kind: procedure._def.type === "query" ? ("query" as const) : ("mutation" as const),
  }),
);

/** Open to anyone: what signing in and first-run setup need. */
const PUBLIC = new Set(["auth.status", "auth.signIn", "auth.setup"]);
/** Mutations a viewer may make, all on their own account. */
const SELF_SERVICE = new Set([
  "auth.signOut",
  "account.changePassword",
  "account.revokeSession",
  "tokens.create",
  "tokens.revoke",
]);
const ADMIN_ONLY = new Set([
  "users.list",
  "users.create",
  "users.setRole",
  "users.setDisabled",
  "users.resetPassword",
]);

let server: TRunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

describe("authorization, walked over every procedure of the router", () => {
  it("knows every procedure (the walk is not empty)", () => {
    expect(procedures.length).toBeGreaterThan(20);
    for (const name of [...PUBLIC, ...SELF_SERVICE, ...ADMIN_ONLY])
      expect(procedures.map((p) => p.path)).toContain(name);
  });

  it("answers UNAUTHORIZED to every non-public procedure without credentials, and runs nothing", async () => {
    const before = await readdir(lxcPath());
    for (const { path, kind } of procedures.filter(({ path }) => !PUBLIC.has(path))) {
      const response = await callProcedure(server, path, { name: "x" }, { kind, as: null });
      expect(response.status, path).toBe(401);
      expect(response.error?.data.code, path).toBe("UNAUTHORIZED");
    }
    expect(await readdir(lxcPath())).toEqual(before);
  });

  it("answers UNAUTHORIZED to a wrong, revoked-looking or malformed token", async () => {
    for (const authorization of [
      "Bearer atl_t_nope",
      "Bearer ",
      "Basic YWRtaW46YWRtaW4=",
      `Bearer ${server.tokens.admin}x`,
    ]) {
      const response = await callProcedure(server, "containers.list", undefined, {
        kind: "query",
        as: null,
        headers: { authorization },
      });
      expect(response.status, authorization).toBe(401);
    }
  });

  it("answers FORBIDDEN to every mutation a viewer makes, except on their own account", async () => {
    for (const { path } of procedures.filter(
      ({ path, kind }) => kind === "mutation" && !PUBLIC.has(path) && !SELF_SERVICE.has(path),
    )) {
      const response = await callProcedure(server, path, { name: "x" }, { as: "viewer" });
      expect(response.status, path).toBe(403);
      expect(response.error?.data.code, path).toBe("FORBIDDEN");
    }
  });

  it("lets viewers read containers but not the audit log or the users", async () => {
    expect(
      (await callProcedure(server, "containers.list", undefined, { kind: "query", as: "viewer" })).status,
    ).toBe(200);
    expect((await callProcedure(server, "audit.list", {}, { kind: "query", as: "viewer" })).status).toBe(403);
    expect(
      (await callProcedure(server, "users.list", undefined, { kind: "query", as: "viewer" })).status,
    ).toBe(403);
    expect(
      (await callProcedure(server, "tokens.list", { isAllUsers: true }, { kind: "query", as: "viewer" }))
        .status,
    ).toBe(403);
  });

  it("answers FORBIDDEN to every admin procedure an operator calls", async () => {
    for (const { path, kind } of procedures.filter(({ path }) => ADMIN_ONLY.has(path))) {
      const response = await callProcedure(server, path, { id: 1 }, { kind, as: "operator" });
      expect(response.status, path).toBe(403);
    }
    expect((await callProcedure(server, "audit.list", {}, { kind: "query", as: "operator" })).status).toBe(
      200,
    );
  });

  it("sends injection canaries through every text input of every procedure, and nothing reaches a shell", async () => {
    const canaries = [
      ";touch /tmp/atelier-canary-1",
      "$(touch /tmp/atelier-canary-2)",
      "`touch /tmp/atelier-canary-3`",
      "x\nlxc.hook.pre-start = /bin/touch /tmp/atelier-canary-4",
    ];
    for (const canary of canaries) {
      const input = {
        name: canary,
        username: canary,
        password: canary,
        currentPassword: canary,
        newPassword: `${canary}-new`,
        token: canary,
        actor: canary,
        action: canary,
        target: canary,
        role: canary,
        template: canary,
      };
      for (const { path, kind } of procedures) {
        const response = await callProcedure(server, path, input, { kind, as: "admin" });
        expect(response.status, `${path} ${JSON.stringify(canary)}`).toBeLessThan(500);
      }
    }
    for (const index of [1, 2, 3, 4]) expect(existsSync(`/tmp/atelier-canary-${index}`)).toBe(false);

    // And every one of those mutations is in the audit log, with the actor from the token, not from the input.
    const db = createDb(server.databaseUrl);
    const entries = await db.auditEntry.findMany({ where: { via: "token" } });
    await db.$disconnect();
    for (const { path } of procedures.filter(({ kind, path }) => kind === "mutation" && !PUBLIC.has(path))) {
      expect(
        entries.some((entry) => entry.action === path && entry.actor === "admin"),
        path,
      ).toBe(true);
    }
  });
});
