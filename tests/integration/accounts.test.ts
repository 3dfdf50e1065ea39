import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { createDb } from "@/server/db";
import { callProcedure, PASSWORD, startServer, type TRunningServer } from "../server";
import { useServer } from "../use-server";

const server = useServer();

/** Signs in over HTTP as a browser would, from a chosen loopback address; returns the status, body and cookie. */
const signIn = (
  target: Pick<TRunningServer, "url">,
  username: string,
  password: string,
  localAddress = "127.0.0.1",
) =>
  new Promise<{
    response: { status: number };
    setCookie: string;
    cookie: string;
    body: { error?: { json: { message: string } } };
  }>((resolve, reject) => {
    const url = new URL(`${target.url}/api/trpc/auth.signIn`);
    const request = httpRequest(
      url,
      { method: "POST", localAddress, headers: { "content-type": "application/json" } },
      (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => (text += chunk.toString()));
        response.on("end", () => {
          const setCookie = response.headers["set-cookie"]?.[0] ?? "";
          resolve({
            response: { status: response.statusCode ?? 0 },
            setCookie,
            cookie: setCookie.split(";")[0] ?? "",
            body: JSON.parse(text) as { error?: { json: { message: string } } },
          });
        });
      },
    );
    request.on("error", reject);
    request.end(JSON.stringify({ json: { username, password } }));
  });

const withCookie = (cookie: string) => ({ as: null, headers: { cookie } }) as const;

describe("accounts over HTTP", () => {
  it("signs in with a session cookie that is httpOnly and SameSite=Strict", async () => {
    const { response, setCookie, cookie } = await signIn(server, "operator", PASSWORD);
    expect(response.status).toBe(200);
    expect(setCookie).toMatch(/^atelier_session=atl_s_/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const status = await callProcedure(server, "auth.status", undefined, {
      kind: "query",
      ...withCookie(cookie),
    });
    expect(status.data).toMatchObject({
      isSetupRequired: false,
      user: { username: "operator", role: "operator", via: "session" },
    });

    await callProcedure(server, "auth.signOut", undefined, withCookie(cookie));
    expect(
      (await callProcedure(server, "containers.list", undefined, { kind: "query", ...withCookie(cookie) }))
        .status,
    ).toBe(401);
  });

  it("says only 'wrong username or password', for a wrong password and an unknown user alike", async () => {
    const wrongPassword = await signIn(server, "viewer", "not-the-password");
    const unknownUser = await signIn(server, "nobody", "not-the-password");
    expect(wrongPassword.response.status).toBe(401);
    expect(unknownUser.response.status).toBe(401);
    expect(wrongPassword.body.error?.json.message).toBe(unknownUser.body.error?.json.message);
    expect(wrongPassword.setCookie).toBe("");
  });

  it("creates a token that works for scripts until it is revoked, with a role no higher than its owner's", async () => {
    const created = await callProcedure(
      server,
      "tokens.create",
      { name: "deploy script", role: "operator", expiresDays: 30 },
      { as: "operator" },
    );
    expect(created.status).toBe(200);
    const { id, token } = created.data as { id: number; token: string };
    expect(token).toMatch(/^atl_t_/);

    const bearer = { as: null, headers: { authorization: `Bearer ${token}` } } as const;
    expect(
      (await callProcedure(server, "containers.list", undefined, { kind: "query", ...bearer })).status,
    ).toBe(200);
    const listed = await callProcedure(server, "tokens.list", undefined, { kind: "query", as: "operator" });
    expect(JSON.stringify(listed.data)).not.toContain(token);

    expect((await callProcedure(server, "tokens.revoke", { id }, { as: "operator" })).status).toBe(200);
    expect(
      (await callProcedure(server, "containers.list", undefined, { kind: "query", ...bearer })).status,
    ).toBe(401);

    const tooHigh = await callProcedure(
      server,
      "tokens.create",
      { name: "escalate", role: "admin" },
      { as: "operator" },
    );
    expect(tooHigh.status).toBe(403);
    expect(tooHigh.error?.data.field).toBe("role");
  });

  it("lets a viewer revoke neither another user's token nor their session, which both keep working", async () => {
    // The operator's token and session, and their ids as the operator's own lists show them.
    const created = await callProcedure(
      server,
      "tokens.create",
      { name: "operator-owned", role: "operator" },
      { as: "operator" },
    );
    expect(created.status).toBe(200);
    const { id: tokenId, token } = created.data as { id: number; token: string };
    const bearer = { as: null, headers: { authorization: `Bearer ${token}` } } as const;
    const operator = await signIn(server, "operator", PASSWORD);
    const sessions = (
      await callProcedure(server, "account.sessions", undefined, {
        kind: "query",
        ...withCookie(operator.cookie),
      })
    ).data as { id: string; isCurrent: boolean }[];
    const sessionId = sessions.find((session) => session.isCurrent)?.id;
    expect(sessionId).toMatch(/^[0-9a-f]{64}$/);
    const works = async () => ({
      token: (await callProcedure(server, "containers.list", undefined, { kind: "query", ...bearer })).status,
      session: (
        await callProcedure(server, "containers.list", undefined, {
          kind: "query",
          ...withCookie(operator.cookie),
        })
      ).status,
    });
    expect(await works()).toEqual({ token: 200, session: 200 });

    // The viewer knows both ids, and tries with its token and with its own session: refused every time.
    const viewer = await signIn(server, "viewer", PASSWORD);
    for (const as of [{ as: "viewer" as const }, withCookie(viewer.cookie)]) {
      const tokenCall = await callProcedure(server, "tokens.revoke", { id: tokenId }, as);
      expect([tokenCall.status, tokenCall.error?.data.code]).toEqual([404, "NOT_FOUND"]);
      const sessionCall = await callProcedure(server, "account.revokeSession", { id: sessionId }, as);
      expect([sessionCall.status, sessionCall.error?.data.code]).toEqual([404, "NOT_FOUND"]);
    }
    expect(await works()).toEqual({ token: 200, session: 200 });
    const db = createDb(server.databaseUrl);
    try {
      expect((await db.apiToken.findUnique({ where: { id: tokenId } }))?.revokedAt).toBeNull();
      expect(await db.session.count({ where: { id: sessionId } })).toBe(1);
    } finally {
      await db.$disconnect();
    }

    // The same calls by those who may make them do revoke (so the ids were the right ones).
    expect(
      (await callProcedure(server, "account.revokeSession", { id: sessionId }, { as: "operator" })).status,
    ).toBe(200);
    expect((await callProcedure(server, "tokens.revoke", { id: tokenId }, { as: "admin" })).status).toBe(200);
    expect(await works()).toEqual({ token: 401, session: 401 });
  });

  it("ends a disabled user's sessions and tokens, and keeps at least one admin", async () => {
    const users = (await callProcedure(server, "users.list", undefined, { kind: "query", as: "admin" }))
      .data as { id: number; username: string }[];
    const viewer = users.find((user) => user.username === "viewer");
    const admin = users.find((user) => user.username === "admin");
    const { cookie } = await signIn(server, "viewer", PASSWORD);
    expect(
      (await callProcedure(server, "users.setDisabled", { id: viewer?.id, disabled: true }, { as: "admin" }))
        .status,
    ).toBe(200);
    expect(
      (await callProcedure(server, "containers.list", undefined, { kind: "query", ...withCookie(cookie) }))
        .status,
    ).toBe(401);
    expect(
      (await callProcedure(server, "containers.list", undefined, { kind: "query", as: "viewer" })).status,
    ).toBe(401);
    expect((await signIn(server, "viewer", PASSWORD)).response.status).toBe(401);
    await callProcedure(server, "users.setDisabled", { id: viewer?.id, disabled: false }, { as: "admin" });

    const lastAdmin = await callProcedure(
      server,
      "users.setRole",
      { id: admin?.id, role: "viewer" },
      { as: "admin" },
    );
    expect(lastAdmin.status).toBe(412);
    expect(lastAdmin.error?.data.hint).toMatch(/another user an admin/);
  });

  it("changes one's own password, ending the other sessions", async () => {
    const created = await callProcedure(
      server,
      "users.create",
      { username: "pat", role: "viewer", password: PASSWORD },
      { as: "admin" },
    );
    expect(created.status).toBe(200);
    const first = await signIn(server, "pat", PASSWORD);
    const second = await signIn(server, "pat", PASSWORD);
    const wrong = await callProcedure(
      server,
      "account.changePassword",
      { currentPassword: "nope-nope-nope", newPassword: "brand-new-password" },
      withCookie(first.cookie),
    );
    expect(wrong).toMatchObject({ status: 400, error: { data: { field: "currentPassword" } } });
    const changed = await callProcedure(
      server,
      "account.changePassword",
      { currentPassword: PASSWORD, newPassword: "brand-new-password" },
      withCookie(first.cookie),
    );
    expect(changed.status).toBe(200);
    expect(
      (
        await callProcedure(server, "account.sessions", undefined, {
          kind: "query",
          ...withCookie(first.cookie),
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await callProcedure(server, "account.sessions", undefined, {
          kind: "query",
          ...withCookie(second.cookie),
        })
      ).status,
    ).toBe(401);
    expect((await signIn(server, "pat", "brand-new-password")).response.status).toBe(200);
  });

  it("records who did what: the actor comes from the session or token, never from input", async () => {
    const db = createDb(server.databaseUrl);
    try {
      const entries = await db.auditEntry.findMany();
      expect(
        entries.find((entry) => entry.action === "tokens.create" && entry.result === "ok"),
      ).toMatchObject({ actor: "operator", via: "token" });
      expect(entries.find((entry) => entry.action === "auth.signIn" && entry.result === "ok")).toMatchObject({
        via: "session",
      });
      // A failed sign-in to a name that is no account is a stranger's refusal: counted, its text never kept.
      expect(entries.find((entry) => entry.action === "refused" && entry.actor === "anonymous")).toBeTruthy();
      expect(
        entries.some((entry) => entry.actor === "nobody" || (entry.input ?? "").includes("nobody")),
      ).toBe(false);
      expect(entries.some((entry) => (entry.input ?? "").includes(PASSWORD))).toBe(false);
    } finally {
      await db.$disconnect();
    }
  });
});

describe("first run", () => {
  it("creates the first admin only through the one-time link printed in the log", async () => {
    const fresh = await startServer({}, { withUsers: false });
    try {
      const token = /\/setup#token=(\S+)/.exec(fresh.output())?.[1];
      expect(token).toMatch(/^atl_setup_/);
      const page = await fetch(`${fresh.url}/containers`, { redirect: "manual" });
      expect(page.status).toBe(303);
      expect(page.headers.get("location")).toBe("/setup");

      const input = { username: "root-admin", password: PASSWORD };
      const wrong = await callProcedure(
        fresh,
        "auth.setup",
        { ...input, token: "atl_setup_guess" },
        { as: null },
      );
      expect(wrong.status).toBe(403);
      const right = await callProcedure(fresh, "auth.setup", { ...input, token }, { as: null });
      expect(right).toMatchObject({ status: 200, data: { username: "root-admin", role: "admin" } });
      const again = await callProcedure(
        fresh,
        "auth.setup",
        { ...input, username: "second", token },
        { as: null },
      );
      expect(again.status).toBe(412);
      expect((await signIn(fresh, "root-admin", PASSWORD)).response.status).toBe(200);
    } finally {
      await fresh.stop();
    }
  });
});
