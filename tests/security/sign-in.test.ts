import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { createDb } from "@/server/db";
import { callProcedure, PASSWORD } from "../server";
import { useServer } from "../use-server";

/**
 * A stranger can neither guess passwords quickly nor lock anyone out: guesses cannot be batched, concurrent
 * guesses are counted before they are checked, and throttling is per account and client address, so the right
 * password from another address still works during an attack. A reset ends what the old password made possible.
 * Client addresses are loopback addresses of this namespace (127.0.0.N).
 */
const server = useServer();

const post = (
  path: string,
  body: unknown,
  localAddress = "127.0.0.1",
  headers: Record<string, string> = {},
) =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest(
      new URL(`${server.url}${path}`),
      { method: "POST", localAddress, headers: { "content-type": "application/json", ...headers } },
      (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => (text += chunk.toString()));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
const signIn = (username: string, password: string, from = "127.0.0.1") =>
  post("/api/trpc/auth.signIn", { json: { username, password } }, from);
const failedSignIns = async () => {
  const db = createDb(server.databaseUrl);
  try {
    return await db.auditEntry.count({ where: { action: "auth.signIn", result: "error" } });
  } finally {
    await db.$disconnect();
  }
};

describe("sign-in under attack", () => {
  it("refuses batched guesses before checking any (400), and caps every batch", async () => {
    const before = await failedSignIns();
    const names = Array.from({ length: 30 }, () => "auth.signIn").join(",");
    const body = Object.fromEntries(
      Array.from({ length: 30 }, (_, index) => [
        index,
        { json: { username: "admin", password: `guess-${index}` } },
      ]),
    );
    const batched = await post(`/api/trpc/${names}?batch=1`, body, "127.0.0.9");
    expect(batched.status).toBe(400);
    expect(batched.text).toMatch(/cannot be batched|at most 10/);
    const mixed = await post(
      "/api/trpc/auth.signIn,containers.start?batch=1",
      { 0: { json: { username: "admin", password: "x" } }, 1: { json: { name: "x" } } },
      "127.0.0.9",
    );
    expect(mixed.status).toBe(400);
    const many = await post(
      `/api/trpc/${Array(11).fill("containers.start").join(",")}?batch=1`,
      {},
      "127.0.0.9",
    );
    expect(many.status).toBe(400);
    expect(await failedSignIns()).toBe(before);
    // The attacker's address is not throttled by the refused batches, and the admin signs in from it.
    expect((await signIn("admin", PASSWORD, "127.0.0.9")).status).toBe(200);
  });

  it("counts concurrent guesses before checking them, and the admin still signs in from another address", async () => {
    const before = await failedSignIns();
    const guesses = await Promise.all(
      Array.from({ length: 30 }, (_, index) => signIn("admin", `guess-${index}`, "127.0.0.10")),
    );
    const checked = guesses.filter((guess) => guess.status === 401).length;
    const throttled = guesses.filter((guess) => guess.status === 429).length;
    expect(checked).toBeLessThanOrEqual(3);
    expect(checked + throttled).toBe(30);
    expect(await failedSignIns()).toBe(before + checked);
    // The right password from the attacking address waits too...
    const blocked = await signIn("admin", PASSWORD, "127.0.0.10");
    expect(blocked.status).toBe(429);
    expect(blocked.text).toMatch(/try again in \d+ s/);
    // ...but from anywhere else it works at once: a stranger cannot lock the admin out.
    expect((await signIn("admin", PASSWORD, "127.0.0.11")).status).toBe(200);
    expect((await signIn("admin", PASSWORD, "127.0.0.1")).status).toBe(200);
  });

  it("makes each further guess wait longer", async () => {
    const from = "127.0.0.12";
    for (let attempt = 0; attempt < 3; attempt += 1)
      expect((await signIn("viewer", "wrong", from)).status).toBe(401);
    const first = await signIn("viewer", "wrong", from);
    expect(first.status).toBe(429);
    const wait = (text: string) => Number(/try again in (\d+) s/.exec(text)?.[1]);
    await new Promise((resolve) => setTimeout(resolve, wait(first.text) * 1000 + 100));
    expect((await signIn("viewer", "wrong", from)).status).toBe(401);
    const second = await signIn("viewer", "wrong", from);
    expect(second.status).toBe(429);
    expect(wait(second.text)).toBeGreaterThan(wait(first.text));
  });

  it("limits one address across accounts, without touching other addresses", async () => {
    const from = "127.0.0.13";
    for (let attempt = 0; attempt < 20; attempt += 1) await signIn(`someone${attempt}`, "guess", from);
    expect((await signIn("operator", PASSWORD, from)).status).toBe(429);
    expect((await signIn("operator", PASSWORD, "127.0.0.14")).status).toBe(200);
  });
});

describe("tokens", () => {
  it("are revoked when the owner's password is reset", async () => {
    const created = await callProcedure(
      server,
      "tokens.create",
      { name: "script", role: "viewer" },
      { as: "viewer" },
    );
    const token = (created.data as { token: string }).token;
    const auth = { as: null, headers: { authorization: `Bearer ${token}` } } as const;
    expect(
      (await callProcedure(server, "containers.list", undefined, { kind: "query", ...auth })).status,
    ).toBe(200);
    const users = (await callProcedure(server, "users.list", undefined, { kind: "query", as: "admin" }))
      .data as {
      id: number;
      username: string;
    }[];
    const viewer = users.find((user) => user.username === "viewer");
    const reset = await callProcedure(
      server,
      "users.resetPassword",
      { id: viewer?.id, password: PASSWORD },
      { as: "admin" },
    );
    expect(reset.status).toBe(200);
    expect(
      (await callProcedure(server, "containers.list", undefined, { kind: "query", ...auth })).status,
    ).toBe(401);
  });

  it("made with a token never outlive it", async () => {
    const parent = await callProcedure(
      server,
      "tokens.create",
      { name: "parent", role: "operator", expiresDays: 30 },
      { as: "operator" },
    );
    const token = (parent.data as { token: string }).token;
    const withParent = { as: null, headers: { authorization: `Bearer ${token}` } } as const;
    const forever = await callProcedure(
      server,
      "tokens.create",
      { name: "child", role: "viewer" },
      withParent,
    );
    expect(forever.status).toBe(403);
    expect(forever.error?.data.field).toBe("expiresDays");
    const longer = await callProcedure(
      server,
      "tokens.create",
      { name: "child", role: "viewer", expiresDays: 60 },
      withParent,
    );
    expect(longer.status).toBe(403);
    const shorter = await callProcedure(
      server,
      "tokens.create",
      { name: "child", role: "viewer", expiresDays: 1 },
      withParent,
    );
    expect(shorter.status).toBe(200);
  });
});
