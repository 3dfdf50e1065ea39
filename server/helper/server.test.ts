import { mkdtemp, rm } from "node:fs/promises";
import { connect, type Server } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "../errors";
import { logger } from "../log";
import { connectHelper, createHelper } from "../helper-client";
import { op, type TContract, type TImplementation } from "./contract/define";
import { implement } from "./operation";
import { encode, MAX_LINE_BYTES, WINDOW } from "./protocol";
import { startHelperServer } from "./server";

/**
 * The protocol on a real unix socket, with operations made for the test: validation, errors with their code,
 * streams with back-pressure, cancellation, and a peer that breaks the protocol.
 */
let dir: string;
let server: Server;
let socketPath: string;
const seen = { emitted: 0, maxAhead: 0, aborted: false, timedOut: false };
let consumed = 0;

/** A contract made for the test, implemented below: the same machinery as the helper's own. */
const testContract = {
  test: {
    echo: op({
      input: z.object({ text: z.string().max(10) }).strict(),
      output: z.object({ text: z.string() }),
      timeoutMs: 5000,
      summary: "echo",
    }),
    fail: op({ input: z.object({}).strict(), output: z.null(), timeoutMs: 5000, summary: "fail" }),
    count: op({
      input: z.object({ n: z.number().int().max(10_000) }).strict(),
      output: z.number(),
      item: z.number().int(),
      timeoutMs: 60_000,
      summary: "count",
    }),
    wait: op({ input: z.object({}).strict(), output: z.null(), timeoutMs: 60_000, summary: "wait" }),
    slow: op({ input: z.object({}).strict(), output: z.null(), timeoutMs: 200, summary: "slow" }),
    liar: op({
      input: z.object({ items: z.boolean() }).strict(),
      output: z.object({ text: z.string() }),
      item: z.number(),
      timeoutMs: 5000,
      summary: "answers outside its contract",
    }),
  },
} satisfies TContract;

const implementation: TImplementation<typeof testContract> = {
  test: {
    echo: ({ text }) => Promise.resolve({ text }),
    fail: () => {
      throw new AppError("PRECONDITION_FAILED", { message: "no", hint: "do this", field: "x" });
    },
    count: async ({ n }, { emit }) => {
      for (let index = 0; index < n; index += 1) {
        await emit(index);
        seen.emitted += 1;
        seen.maxAhead = Math.max(seen.maxAhead, seen.emitted - consumed);
      }
      return n;
    },
    wait: (_input, { signal }) =>
      new Promise((resolve) =>
        signal.addEventListener("abort", () => {
          seen.aborted = true;
          resolve(null);
        }),
      ),
    slow: (_input, { signal }) =>
      new Promise((resolve) =>
        signal.addEventListener("abort", () => {
          seen.timedOut = true;
          resolve(null);
        }),
      ),
    // What a helper of another version (or with a bug) might answer: the client must not pass it on.
    liar: async ({ items }, { emit }) => {
      if (items) await emit("three" as unknown as number);
      return { text: 3 } as unknown as { text: string };
    },
  },
};
const operations = implement(testContract, implementation);

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
    const client = createHelper(socketPath, testContract);
    try {
      expect(await client.test.echo({ text: "hi" })).toEqual({ text: "hi" });
      await expect(client.test.echo({ text: "x".repeat(11) })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        field: "text",
      });
      await expect(client.test.echo({ text: "hi", extra: 1 } as never)).rejects.toMatchObject({
        code: "BAD_REQUEST",
      });
      await expect(client.test.fail({})).rejects.toMatchObject({
        code: "PRECONDITION_FAILED",
        message: "no",
        hint: "do this",
        field: "x",
      });
      const unchecked = connectHelper(socketPath);
      await expect(unchecked.call("test.nothing", { text: "" })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: 'The helper has no operation "test.nothing"',
      });
      unchecked.close();
    } finally {
      client.close();
    }
  });

  it("streams items with back-pressure: never more than its window ahead of a slow consumer", async () => {
    const client = createHelper(socketPath, testContract);
    try {
      const items: unknown[] = [];
      const result = await client.test.count(
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
    const client = createHelper(socketPath, testContract);
    const controller = new AbortController();
    const waiting = client.test.wait({}, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ message: "The operation was cancelled" });
    expect(seen.aborted).toBe(true);
    seen.aborted = false;
    const orphan = client.test.wait({});
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.close();
    await expect(orphan).rejects.toThrow(/cannot be reached/);
    await expect.poll(() => seen.aborted).toBe(true);
  });

  it("stops an operation past its contract's timeout and answers TIMEOUT", async () => {
    const client = createHelper(socketPath, testContract);
    try {
      await expect(client.test.slow({})).rejects.toMatchObject({ code: "TIMEOUT" });
      expect(seen.timedOut).toBe(true);
    } finally {
      client.close();
    }
  });

  it("refuses a result or an item outside the contract, and counts the calls", async () => {
    const client = createHelper(socketPath, testContract);
    try {
      await expect(client.test.liar({ items: false })).rejects.toMatchObject({
        code: "INTERNAL",
        message: expect.stringMatching(/test\.liar with a result its contract does not allow/) as unknown,
      });
      const items: number[] = [];
      await expect(
        client.test.liar({ items: true }, { onItem: (item) => items.push(item) }),
      ).rejects.toMatchObject({
        message: expect.stringMatching(/with an item its contract does not allow/) as unknown,
      });
      expect(items).toEqual([]);
      expect(client.calls()).toEqual({ "test.liar": 2 });
    } finally {
      client.close();
    }
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
