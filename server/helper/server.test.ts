import { mkdtemp, rm } from "node:fs/promises";
import { connect, type Server } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "../errors";
import { logger } from "../log";
import { createHelperClient } from "../helper-client";
import { defineOperation } from "./operation";
import { encode, MAX_LINE_BYTES, WINDOW } from "./protocol";
import { startHelperServer } from "./server";

/**
 * The protocol on a real unix socket, with operations made for the test: validation, errors with their code,
 * streams with back-pressure, cancellation, and a peer that breaks the protocol.
 */
let dir: string;
let server: Server;
let socketPath: string;
const seen = { emitted: 0, maxAhead: 0, aborted: false };
let consumed = 0;

const operations = {
  "test.echo": defineOperation({
    input: z.object({ text: z.string().max(10) }).strict(),
    run: ({ text }) => Promise.resolve({ text }),
  }),
  "test.fail": defineOperation({
    input: z.object({}).strict(),
    run: () => {
      throw new AppError("PRECONDITION_FAILED", { message: "no", hint: "do this", field: "x" });
    },
  }),
  "test.count": defineOperation({
    input: z.object({ n: z.number().int().max(10_000) }).strict(),
    run: async ({ n }, { emit }) => {
      for (let index = 0; index < n; index += 1) {
        await emit(index);
        seen.emitted += 1;
        seen.maxAhead = Math.max(seen.maxAhead, seen.emitted - consumed);
      }
      return n;
    },
  }),
  "test.wait": defineOperation({
    input: z.object({}).strict(),
    run: (_input, { signal }) =>
      new Promise((resolve) =>
        signal.addEventListener("abort", () => {
          seen.aborted = true;
          resolve(null);
        }),
      ),
  }),
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "atelier-helper-test-"));
  socketPath = path.join(dir, "run", "helper.sock");
  server = await startHelperServer({
    socketPath,
    allowedUids: [process.getuid?.() ?? 0],
    socketGroup: process.getgid?.() ?? 0,
    operations,
    log: logger.child({ component: "helper-test" }),
  });
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** A raw peer: sends lines as given, collects what comes back until the helper closes or `ms` pass. */
const raw = (lines: string[], ms = 1000) =>
  new Promise<string[]>((resolve) => {
    const socket = connect(socketPath);
    let text = "";
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(lines.join("")));
    socket.on("data", (chunk: string) => (text += chunk));
    const done = () => resolve(text.split("\n").filter(Boolean));
    socket.on("close", done);
    setTimeout(() => socket.destroy(), ms);
  });

describe("the helper protocol", () => {
  it("answers typed calls and validates their input again, keeping an error's code and details", async () => {
    const client = createHelperClient<typeof operations>(socketPath);
    try {
      expect(await client.call("test.echo", { text: "hi" })).toEqual({ text: "hi" });
      await expect(client.call("test.echo", { text: "x".repeat(11) })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        field: "text",
      });
      await expect(client.call("test.echo", { text: "hi", extra: 1 } as never)).rejects.toMatchObject({
        code: "BAD_REQUEST",
      });
      await expect(client.call("test.fail", {})).rejects.toMatchObject({
        code: "PRECONDITION_FAILED",
        message: "no",
        hint: "do this",
        field: "x",
      });
      await expect(client.call("test.nothing" as "test.echo", { text: "" })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: 'The helper has no operation "test.nothing"',
      });
    } finally {
      client.close();
    }
  });

  it("streams items with back-pressure: never more than its window ahead of a slow consumer", async () => {
    const client = createHelperClient<typeof operations>(socketPath);
    try {
      const items: unknown[] = [];
      const result = await client.call(
        "test.count",
        { n: 500 },
        {
          onItem: async (item) => {
            items.push(item);
            await new Promise((resolve) => setTimeout(resolve, 1));
            consumed += 1;
          },
        },
      );
      expect(result).toBe(500);
      expect(items).toEqual(Array.from({ length: 500 }, (_, index) => index));
      expect(seen.maxAhead).toBeLessThanOrEqual(WINDOW + 1);
      expect(seen.maxAhead).toBeGreaterThan(WINDOW / 2);
    } finally {
      client.close();
    }
  });

  it("cancels a call when its signal aborts, and aborts a closed connection's calls", async () => {
    const client = createHelperClient<typeof operations>(socketPath);
    const controller = new AbortController();
    const waiting = client.call("test.wait", {}, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ message: "The operation was cancelled" });
    expect(seen.aborted).toBe(true);
    seen.aborted = false;
    const orphan = client.call("test.wait", {});
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.close();
    await expect(orphan).rejects.toThrow(/cannot be reached/);
    await expect.poll(() => seen.aborted).toBe(true);
  });

  it("closes on a peer that breaks the protocol: no hello, another version, garbage, a line too long", async () => {
    const call = encode({ type: "call", id: 1, op: "test.echo", input: { text: "x" } });
    for (const lines of [
      [call],
      [encode({ type: "hello", version: 2 }), call],
      ["{not json\n"],
      [`${JSON.stringify({ type: "hello", version: 1, extra: true })}\n`],
    ]) {
      const answers = await raw(lines);
      expect(
        answers.some((line) => line.includes('"HELPER_PROTOCOL"')),
        lines.join(""),
      ).toBe(true);
      expect(answers.some((line) => line.includes('"result"'))).toBe(false);
    }
    const long = await raw([encode({ type: "hello", version: 1 }), "x".repeat(MAX_LINE_BYTES + 10)], 3000);
    expect(long.at(-1)).toContain("line too long");
    // Names from the prototype are no operations.
    const proto = await raw([
      encode({ type: "hello", version: 1 }),
      encode({ type: "call", id: 1, op: "constructor", input: {} }),
      encode({ type: "call", id: 2, op: "__proto__", input: {} }),
    ]);
    expect(proto.filter((line) => line.includes("has no operation"))).toHaveLength(2);
  });
});
