import { request } from "node:http";
import { lstat } from "node:fs/promises";
import path from "node:path";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { createDb } from "@/server/db";
import { callProcedure } from "../server";
import { useServer } from "../use-server";

/**
 * The web tier's local socket (web/run/cli.sock), where a request without credentials is root on the host, attacked:
 * nothing a network client sends makes it local; on the socket a token still decides; and what belongs to an
 * account (tokens, password, language) is refused to root with a sentence, never a 500 or a row for user 0.
 */
const server = useServer();
const socketOf = () => path.join(server.dataDir, "web", "run", "cli.sock");

/** A tRPC POST on the local socket, as the CLI sends it (Host: localhost). */
type TAnswer = { result?: { data: { json: unknown } }; error?: { json: unknown } };
const onSocket = (procedure: string, input: unknown, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; body: TAnswer }>((resolve, reject) => {
    const body = JSON.stringify(superjson.serialize(input));
    const req = request(
      {
        socketPath: socketOf(),
        path: `/api/trpc/${procedure}`,
        method: "POST",
        headers: { host: "localhost", "content-type": "application/json", ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          try {
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as TAnswer,
            });
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });

describe("the local socket, attacked", () => {
  it("is root's and the web tier's only, and no header makes a network request local", async () => {
    const socket = await lstat(socketOf());
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o077).toBe(0);
    expect((await lstat(path.dirname(socketOf()))).mode & 0o777).toBe(0o700);

    const spoofed = await callProcedure(server, "auth.status", undefined, {
      kind: "query",
      as: null,
      headers: {
        "x-forwarded-for": "127.0.0.1",
        "x-real-ip": "127.0.0.1",
        forwarded: "for=unix;by=unix",
        via: "local",
        "x-atelier-local": "1",
      },
    });
    expect(spoofed.data).toMatchObject({ user: null });
    const containers = await callProcedure(server, "containers.list", undefined, { kind: "query", as: null });
    expect(containers.status).toBe(401);

    const local = await onSocket("auth.status", undefined);
    expect(local.body.result?.data.json).toMatchObject({
      user: { username: "local:root", role: "admin", via: "local" },
    });
  });

  it("judges a request with a token by the token alone, on the socket too", async () => {
    const viewer = await onSocket("auth.status", undefined, {
      authorization: `Bearer ${server.tokens.viewer}`,
    });
    expect(viewer.body.result?.data.json).toMatchObject({ user: { username: "viewer", role: "viewer" } });
    const bogus = await onSocket("containers.list", undefined, { authorization: "Bearer atl_t_nope" });
    expect(bogus.status).toBe(401);
  });

  it("refuses root what belongs to an account with a sentence (no 500, no token of user 0), and audits it", async () => {
    const token = await onSocket("tokens.create", { name: "root on the host", role: "admin" });
    expect(token.status).toBe(403);
    expect(JSON.stringify(token.body.error)).toMatch(/has no account/);
    const locale = await onSocket("account.setLocale", { locale: "fr" });
    expect(locale.status).toBe(403);
    const password = await onSocket("account.changePassword", {
      currentPassword: "whatever-it-is",
      newPassword: "another-long-password",
    });
    expect(password.status).toBe(403);

    const db = createDb(server.databaseUrl);
    try {
      expect(await db.apiToken.count({ where: { userId: 0 } })).toBe(0);
      const rows = await db.auditEntry.findMany({ where: { action: "tokens.create", actor: "local:root" } });
      expect(rows).toEqual([expect.objectContaining({ via: "local", result: "error" })]);
      expect(rows[0]?.error).toMatch(/^FORBIDDEN/);
    } finally {
      await db.$disconnect();
    }
  });
});
