import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { connect, type Server, type Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "../errors";
import { logger } from "../log";
import { connectHelper, createHelper } from "../helper-client";
import { bytes, op, type TContract, type TImplementation } from "./contract/define";
import { implement } from "./operation";
import {
  encode,
  encodeBinary,
  FrameDecoder,
  MAX_CHUNK_BYTES,
  MAX_LINE_BYTES,
  PROTOCOL_VERSION,
  WINDOW,
} from "./contract/protocol";
import { MAX_CALLS, MAX_CONNECTIONS, startHelperServer } from "./server";

/**
 * The protocol on a real unix socket, with operations made for the test: validation, errors with their code,
 * streams with back-pressure both ways (items down, values sent up), cancellation, and a peer that breaks the
 * protocol.
 */
let dir: string;
let server: Server;
let socketPath: string;
const seen = { emitted: 0, maxAhead: 0, aborted: false, timedOut: false, hugeItemStopped: false };
let consumed = 0;
/** What the upstream operations saw: values sent (by the test's writer) and taken (by the operation). */
const up = { sent: 0, taken: 0, maxAhead: 0, iterationEnded: false, aborted: false };
const down = { emitted: 0, consumed: 0, maxAhead: 0 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits until the other side is held back: its count stopped moving (however slow the machine is). */
const untilStill = async (count: () => number) => {
  for (let before = -1; count() !== before; await sleep(30)) before = count();
};
const sha256 = () => createHash("sha256");
/** 32 MiB in chunks of the largest size a value may have. */
const LARGE_CHUNKS = (32 * 1024 * 1024) / MAX_CHUNK_BYTES;

/** A console's two directions: bytes and resizes up, bytes and the size it took down. */
const ZConsoleUp = z.discriminatedUnion("type", [
  z.object({ type: z.literal("data"), bytes: bytes() }).strict(),
  z
    .object({ type: z.literal("resize"), cols: z.number().int().min(1), rows: z.number().int().min(1) })
    .strict(),
]);
const ZConsoleDown = z.discriminatedUnion("type", [
  z.object({ type: z.literal("data"), bytes: bytes() }).strict(),
  z.object({ type: z.literal("size"), cols: z.number().int(), rows: z.number().int() }).strict(),
]);

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
    guarded: op({
      input: z.object({ ticket: z.string().optional() }).strict(),
      output: z.string(),
      ticket: "always",
      timeoutMs: 5000,
      summary: "needs a ticket",
    }),
    hugeItem: op({
      input: z.object({}).strict(),
      output: z.null(),
      item: z.string(),
      timeoutMs: 5000,
      summary: "an item past a line",
    }),
    late: op({
      input: z.object({}).strict(),
      output: z.string(),
      timeoutMs: 200,
      summary: "done at its timeout",
    }),
    huge: op({
      input: z.object({}).strict(),
      output: z.string(),
      timeoutMs: 5000,
      summary: "a result past a line",
    }),
    liar: op({
      input: z.object({ items: z.boolean() }).strict(),
      output: z.object({ text: z.string() }),
      item: z.number(),
      timeoutMs: 5000,
      summary: "answers outside its contract",
    }),
    stray: op({
      input: z.object({}).strict(),
      output: z.null(),
      item: z.number(),
      timeoutMs: 5000,
      summary: "emits an item outside its own contract",
    }),
    pty: op({
      input: z.object({}).strict(),
      output: z.object({ received: z.number() }),
      item: ZConsoleDown,
      upstream: ZConsoleUp,
      timeoutMs: null,
      summary: "a pty-like echo: bytes back as they come, a resize answered with the size taken",
    }),
    upload: op({
      input: z.object({ slow: z.boolean() }).strict(),
      output: z.object({ bytes: z.number(), chunks: z.number(), sha256: z.string() }),
      upstream: bytes(),
      timeoutMs: 120_000,
      summary: "takes a body up, hashing it chunk by chunk",
    }),
    stall: op({
      input: z.object({}).strict(),
      output: z.null(),
      upstream: bytes(),
      timeoutMs: 60_000,
      summary: "takes an upstream it never reads, until cancelled",
    }),
    download: op({
      input: z.object({ chunks: z.number().int().max(1024) }).strict(),
      output: z.object({ bytes: z.number(), sha256: z.string() }),
      item: bytes(),
      timeoutMs: 120_000,
      summary: "sends a body down chunk by chunk, hashing it",
    }),
  },
} satisfies TContract;

/** The contract as a helper of another version has it: its liar answers in shapes this client does not allow. */
const helperContract = {
  test: {
    ...testContract.test,
    liar: op({
      input: z.object({ items: z.boolean() }).strict(),
      output: z.object({ text: z.number() }),
      item: z.string(),
      timeoutMs: 5000,
      summary: "answers outside the client's contract",
    }),
  },
} satisfies TContract;

const implementation: TImplementation<typeof helperContract> = {
  test: {
    echo: ({ text }) => Promise.resolve({ text }),
    fail: () => {
      throw new AppError("PRECONDITION_FAILED", {
        message: "no",
        hint: "do this",
        field: "x",
        problems: [{ line: 3, severity: "error", message: "this line" }],
      });
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
    // Stopped by its timeout, as the runner's commands are: it throws.
    slow: (_input, { signal }) =>
      new Promise((_resolve, reject) =>
        signal.addEventListener("abort", () => {
          seen.timedOut = true;
          reject(new Error("aborted"));
        }),
      ),
    guarded: () => Promise.resolve("ran"),
    hugeItem: async (_input, { emit, signal }) => {
      await emit("x".repeat(MAX_LINE_BYTES));
      if (!signal.aborted) await new Promise((resolve) => signal.addEventListener("abort", resolve));
      seen.hugeItemStopped = true;
      return null;
    },
    // Its work ends just as its time runs out (the abort comes too late to stop anything): it answers.
    late: (_input, { signal }) =>
      new Promise((resolve) => signal.addEventListener("abort", () => resolve("done"))),
    // What a helper of another version might answer: the client must not pass it on.
    huge: () => Promise.resolve("x".repeat(MAX_LINE_BYTES)),
    liar: async ({ items }, { emit }) => {
      if (items) await emit("three");
      return { text: 3 };
    },
    // A helper's bug: an item its own contract does not allow is stopped before it is sent.
    stray: async (_input, { emit }) => {
      await emit("three" as unknown as number);
      return null;
    },
    pty: async (_input, { emit, upstream }) => {
      let received = 0;
      for await (const value of upstream) {
        if (value.type === "data") {
          received += value.bytes.length;
          await emit({ type: "data", bytes: value.bytes });
        } else {
          await emit({ type: "size", cols: value.cols, rows: value.rows });
        }
      }
      return { received };
    },
    upload: async ({ slow }, { signal, upstream }) => {
      const hash = sha256();
      let total = 0;
      let chunks = 0;
      try {
        for await (const chunk of upstream) {
          up.taken += 1;
          up.maxAhead = Math.max(up.maxAhead, up.sent - up.taken);
          hash.update(chunk);
          total += chunk.length;
          chunks += 1;
          // A slow disk, stalling now and then: the writer must wait for it rather than pile chunks up here.
          if (slow && chunks % (2 * WINDOW) === 0) await untilStill(() => up.sent);
        }
      } finally {
        up.iterationEnded = true;
        up.aborted = signal.aborted;
      }
      return { bytes: total, chunks, sha256: hash.digest("hex") };
    },
    stall: (_input, { signal }) =>
      new Promise((resolve) =>
        signal.addEventListener("abort", () => {
          up.aborted = true;
          resolve(null);
        }),
      ),
    download: async ({ chunks }, { emit }) => {
      const hash = sha256();
      let total = 0;
      for (let index = 0; index < chunks; index += 1) {
        const chunk = randomBytes(MAX_CHUNK_BYTES);
        hash.update(chunk);
        total += chunk.length;
        await emit(chunk);
        down.emitted += 1;
        down.maxAhead = Math.max(down.maxAhead, down.emitted - down.consumed);
      }
      return { bytes: total, sha256: hash.digest("hex") };
    },
  },
};
const operations = implement(helperContract, implementation);

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

const hello = encode({ type: "hello", version: PROTOCOL_VERSION });

/** A raw peer: sends lines as given, collects what comes back until the helper closes or `ms` pass. */
const raw = (lines: string[], ms = 1000) =>
  new Promise<string[]>((resolve) => {
    const socket = connect(socketPath);
    socket.on("error", () => undefined);
    let text = "";
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(lines.join("")));
    socket.on("data", (chunk: string) => (text += chunk));
    const done = () => resolve(text.split("\n").filter(Boolean));
    socket.on("close", done);
    setTimeout(() => socket.destroy(), ms);
  });

describe("the helper's limits", () => {
  it("refuses a call of a ticket-bound operation that brings no ticket, before its handler runs", async () => {
    const client = createHelper(socketPath, testContract);
    try {
      await expect(client.test.guarded({})).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(client.test.guarded({ ticket: "" })).rejects.toMatchObject({ code: "FORBIDDEN" });
      expect(await client.test.guarded({ ticket: "t" })).toBe("ran");
    } finally {
      client.close();
    }
    const bare = {
      t: { x: op({ input: z.object({}), output: z.null(), ticket: "when", timeoutMs: 1, summary: "" }) },
    };
    expect(() => implement(bare, { t: { x: () => Promise.resolve(null) } })).toThrow(/has no ticket field/);
  });

  it("runs at most MAX_CALLS calls of a connection at once: the next is refused, the connection goes on", async () => {
    const client = createHelper(socketPath, testContract);
    const controller = new AbortController();
    try {
      const waiting = Array.from({ length: MAX_CALLS }, () =>
        client.test.wait({}, { signal: controller.signal }).catch(() => null),
      );
      await sleep(200);
      await expect(client.test.echo({ text: "one more" })).rejects.toMatchObject({
        code: "TOO_MANY_REQUESTS",
      });
      controller.abort();
      await Promise.all(waiting);
      expect(await client.test.echo({ text: "again" })).toEqual({ text: "again" });
    } finally {
      client.close();
    }
  });

  it("closes a connection past MAX_CONNECTIONS at once, and one that never says hello", async () => {
    // Opened one after the other, each greeted, so that all of them pass the peer check and stay open.
    const sockets: Socket[] = [];
    try {
      for (let index = 0; index < MAX_CONNECTIONS; index += 1) {
        const socket = connect(socketPath).on("error", () => undefined);
        sockets.push(socket);
        socket.write(hello);
        await new Promise((resolve) => socket.once("data", resolve));
      }
      await sleep(300);
      const started = Date.now();
      expect(await raw([hello], 3000)).toEqual([]);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
    await sleep(200);
    const started = Date.now();
    expect(await raw([], 8000)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(7000);
  }, 15_000);
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
        problems: [{ line: 3, severity: "error", message: "this line" }],
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
    try {
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
      // A signal aborted before the call is made cancels it all the same.
      await expect(client.test.wait({}, { signal: AbortSignal.abort() })).rejects.toMatchObject({
        message: "The operation was cancelled",
      });
    } finally {
      client.close();
    }
  });

  it("stops an operation past its contract's timeout and answers TIMEOUT", async () => {
    const client = createHelper(socketPath, testContract);
    try {
      await expect(client.test.slow({})).rejects.toMatchObject({ code: "TIMEOUT" });
      expect(seen.timedOut).toBe(true);
      // Work that was done is not reported as stopped.
      expect(await client.test.late({})).toBe("done");
    } finally {
      client.close();
    }
  });

  it("fails only the call whose answer would not fit in a protocol line; the connection goes on", async () => {
    const client = createHelper(socketPath, testContract);
    try {
      await expect(client.test.huge({})).rejects.toMatchObject({
        code: "INTERNAL",
        message: /too long to send/,
      });
      // An item past a line ends its call, whose work is stopped (nothing goes on behind a failed call).
      await expect(client.test.hugeItem({}, { onItem: () => undefined })).rejects.toMatchObject({
        code: "INTERNAL",
        message: /too long to send/,
      });
      expect(seen.hugeItemStopped).toBe(true);
      // A request past a line is refused by the client itself: the connection, and other calls, go on.
      await expect(client.test.echo({ text: "x".repeat(MAX_LINE_BYTES) })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: /too large to send/,
      });
      expect(await client.test.echo({ text: "still" })).toEqual({ text: "still" });
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
      await expect(client.test.stray({})).rejects.toMatchObject({
        code: "INTERNAL",
        message: "The helper emitted an item test.stray's contract does not allow",
      });
      expect(client.calls()).toEqual({ "test.liar": 2, "test.stray": 1 });
    } finally {
      client.close();
    }
  });

  it("closes on a peer that breaks the protocol: no hello, another version, garbage, a line too long", async () => {
    const call = encode({ type: "call", id: 1, op: "test.echo", input: { text: "x" } });
    for (const lines of [
      [call],
      [encode({ type: "hello", version: PROTOCOL_VERSION + 1 }), call],
      ["{not json\n"],
      [`${JSON.stringify({ type: "hello", version: PROTOCOL_VERSION, extra: true })}\n`],
    ]) {
      const answers = await raw(lines);
      expect(
        answers.some((line) => line.includes('"HELPER_PROTOCOL"')),
        lines.join(""),
      ).toBe(true);
      expect(answers.some((line) => line.includes('"result"'))).toBe(false);
    }
    const long = await raw([hello, "x".repeat(MAX_LINE_BYTES + 10)], 3000);
    expect(long.at(-1)).toContain("line too long");
    // Names from the prototype are no operations.
    const proto = await raw([
      hello,
      encode({ type: "call", id: 1, op: "constructor", input: {} }),
      encode({ type: "call", id: 2, op: "__proto__", input: {} }),
    ]);
    expect(proto.filter((line) => line.includes("has no operation"))).toHaveLength(2);
  });
});

const resetUp = () =>
  Object.assign(up, { sent: 0, taken: 0, maxAhead: 0, iterationEnded: false, aborted: false });
const text = (value: string) => Buffer.from(value);

describe("streams through the helper", () => {
  it("relays a pty-like duplex stream: bytes and resizes up, in order, echoed down", async () => {
    const client = createHelper(socketPath, testContract);
    try {
      const received: z.output<typeof ZConsoleDown>[] = [];
      const pty = client.test.pty({}, { onItem: (item) => void received.push(item) });
      await pty.write({ type: "data", bytes: text("ls -l\r") });
      await pty.write({ type: "resize", cols: 120, rows: 40 });
      // Unawaited writes still go in the order they were made.
      void pty.write({ type: "data", bytes: text("exit") });
      const last = pty.write({ type: "data", bytes: text("\r") });
      pty.end();
      await last;
      await expect(pty.write({ type: "data", bytes: text("late") })).rejects.toMatchObject({
        code: "PRECONDITION_FAILED",
        message: "The call to test.pty has ended; nothing more can be sent to it",
      });
      expect(await pty.result).toEqual({ received: 11 });
      expect(
        received.map((item) => (item.type === "data" ? item.bytes.toString() : `${item.cols}x${item.rows}`)),
      ).toEqual(["ls -l\r", "120x40", "exit", "\r"]);
      expect(received.every((item) => item.type !== "data" || Buffer.isBuffer(item.bytes))).toBe(true);
    } finally {
      client.close();
    }
  });

  // 32 MiB in binary frames, both ends in one process.
  it(
    "takes 32 MiB up to a slow operation: the writer waits, never more than the window ahead",
    { timeout: 60_000 },
    async () => {
      resetUp();
      const client = createHelper(socketPath, testContract);
      try {
        const upload = client.test.upload({ slow: true });
        const hash = sha256();
        let waited = 0;
        for (let index = 0; index < LARGE_CHUNKS; index += 1) {
          const chunk = randomBytes(MAX_CHUNK_BYTES);
          hash.update(chunk);
          const started = Date.now();
          await upload.write(chunk);
          if (Date.now() - started > 0) waited += 1;
          up.sent += 1;
          up.maxAhead = Math.max(up.maxAhead, up.sent - up.taken);
        }
        upload.end();
        expect(await upload.result).toEqual({
          bytes: LARGE_CHUNKS * MAX_CHUNK_BYTES,
          chunks: LARGE_CHUNKS,
          sha256: hash.digest("hex"),
        });
        // At most WINDOW values sent and not yet credited; credit comes back once the operation took half of them.
        expect(up.maxAhead).toBeLessThanOrEqual(WINDOW);
        expect(up.maxAhead).toBeGreaterThan(WINDOW / 2);
        expect(waited).toBeGreaterThan(0);
        expect(up.iterationEnded && !up.aborted).toBe(true);
      } finally {
        client.close();
      }
    },
  );

  // 32 MiB in binary frames, both ends in one process.
  it(
    "sends 32 MiB down to a slow consumer: the operation waits, never more than the window ahead",
    { timeout: 60_000 },
    async () => {
      Object.assign(down, { emitted: 0, consumed: 0, maxAhead: 0 });
      const client = createHelper(socketPath, testContract);
      try {
        const hash = sha256();
        let total = 0;
        // A consumer that writes one chunk after the other to somewhere slow (a browser far away), stalling now and
        // then: each item is credited once its write is done.
        let writing = Promise.resolve();
        const result = await client.test.download(
          { chunks: LARGE_CHUNKS },
          {
            onItem: (chunk) =>
              (writing = writing.then(async () => {
                hash.update(chunk);
                total += chunk.length;
                if (total % (2 * WINDOW * MAX_CHUNK_BYTES) === 0) await untilStill(() => down.emitted);
                down.consumed += 1;
              })),
          },
        );
        expect(result).toEqual({ bytes: LARGE_CHUNKS * MAX_CHUNK_BYTES, sha256: hash.digest("hex") });
        expect(total).toBe(LARGE_CHUNKS * MAX_CHUNK_BYTES);
        expect(down.maxAhead).toBeLessThanOrEqual(WINDOW + 1);
        expect(down.maxAhead).toBeGreaterThan(WINDOW / 2);
      } finally {
        client.close();
      }
    },
  );

  it("holds a writer back while the operation does not read, and cancelling ends both sides", async () => {
    resetUp();
    const client = createHelper(socketPath, testContract);
    try {
      const stalled = client.test.stall({});
      const writes = Array.from({ length: WINDOW + 1 }, () => stalled.write(text("x")));
      const settled = writes.map(() => false);
      writes.forEach((write, index) => void write.then(() => (settled[index] = true)).catch(() => undefined));
      await expect.poll(() => settled.filter(Boolean).length).toBe(WINDOW);
      await sleep(100);
      expect(settled.at(-1)).toBe(false);
      stalled.cancel();
      await expect(writes.at(-1)).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
      await expect(stalled.result).rejects.toMatchObject({ message: "The operation was cancelled" });
      await expect(stalled.write(text("y"))).rejects.toThrow(/ended|cancelled/);
      expect(up.aborted).toBe(true);

      // Mid-stream: the operation's upstream ends (its signal aborted), the handle refuses further writes.
      resetUp();
      const upload = client.test.upload({ slow: false });
      for (let index = 0; index < 10; index += 1) await upload.write(randomBytes(1024));
      await expect.poll(() => up.taken).toBe(10);
      upload.cancel();
      await expect(upload.result).rejects.toMatchObject({ message: "The operation was cancelled" });
      expect(up.iterationEnded && up.aborted).toBe(true);
      await expect(upload.write(randomBytes(1))).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });

      // An aborted signal does the same as cancel.
      resetUp();
      const controller = new AbortController();
      const signalled = client.test.upload({ slow: false }, { signal: controller.signal });
      await signalled.write(randomBytes(10));
      controller.abort();
      await expect(signalled.result).rejects.toMatchObject({ message: "The operation was cancelled" });
      await expect.poll(() => up.iterationEnded && up.aborted).toBe(true);
    } finally {
      client.close();
    }
  });

  it("ends a stream whose connection drops: the operation's upstream ends, the writer is told", async () => {
    resetUp();
    const client = createHelper(socketPath, testContract);
    const upload = client.test.upload({ slow: false });
    for (let index = 0; index < 5; index += 1) await upload.write(randomBytes(1024));
    await expect.poll(() => up.taken).toBe(5);
    client.close();
    await expect(upload.result).rejects.toThrow(/cannot be reached/);
    await expect(upload.write(randomBytes(1))).rejects.toThrow(/cannot be reached/);
    await expect.poll(() => up.iterationEnded && up.aborted).toBe(true);
  });

  it("refuses a chunk that is too large or not base64: the client before sending, the helper if sent anyway", async () => {
    const client = createHelper(socketPath, testContract);
    try {
      const upload = client.test.upload({ slow: false });
      await expect(upload.write(Buffer.alloc(MAX_CHUNK_BYTES + 1))).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: "test.upload cannot take this value: a chunk is at most 64 KiB",
      });
      await expect(upload.write("abc" as unknown as Buffer)).rejects.toMatchObject({ code: "BAD_REQUEST" });
      // Refused values were not sent; the call goes on.
      await upload.write(text("fine"));
      upload.end();
      expect(await upload.result).toMatchObject({ bytes: 4, chunks: 1 });
    } finally {
      client.close();
    }
    const call = (id: number) => encode({ type: "call", id, op: "test.upload", input: { slow: false } });
    const answers = await raw([
      hello,
      call(1),
      encode({ type: "send", id: 1, data: "not base64!" }),
      call(2),
      encode({ type: "send", id: 2, data: Buffer.alloc(MAX_CHUNK_BYTES + 1).toString("base64") }),
      call(3),
      encode({ type: "send", id: 3, data: Buffer.from("ok").toString("base64") }),
      encode({ type: "end", id: 3 }),
    ]);
    const byId = new Map(answers.slice(1).map((line) => [(JSON.parse(line) as { id: number }).id, line]));
    expect(JSON.parse(byId.get(1) ?? "")).toMatchObject({
      type: "error",
      error: { code: "BAD_REQUEST", message: "A value sent up to test.upload was refused: not base64" },
    });
    expect(JSON.parse(byId.get(2) ?? "")).toMatchObject({
      type: "error",
      error: {
        code: "BAD_REQUEST",
        message: "A value sent up to test.upload was refused: a chunk is at most 64 KiB",
      },
    });
    expect(JSON.parse(byId.get(3) ?? "")).toMatchObject({ type: "result", data: { bytes: 2, chunks: 1 } });
    expect(answers.some((line) => line.includes("HELPER_PROTOCOL"))).toBe(false);
  });

  it("carries bytes() chunks as binary frames both ways, and closes on a binary frame where none may be", async () => {
    // Up: a raw peer's binary frames, written a few bytes at a time, arrive whole and in order.
    const body = Buffer.from("line one\nline two\n\u0000\u00ff");
    const peer = connect(socketPath);
    const decoder = new FrameDecoder();
    const frames: ReturnType<FrameDecoder["push"]> = [];
    peer.on("data", (chunk: Buffer) => frames.push(...decoder.push(chunk)));
    await new Promise((resolve) => peer.on("connect", resolve));
    const bytes = Buffer.concat([
      Buffer.from(hello),
      Buffer.from(encode({ type: "call", id: 1, op: "test.upload", input: { slow: false } })),
      Buffer.from(encodeBinary({ type: "send", id: 1 }, body)),
      body,
      Buffer.from(encodeBinary({ type: "send", id: 1 }, body)),
      body,
      Buffer.from(encode({ type: "end", id: 1 })),
      Buffer.from(encode({ type: "call", id: 2, op: "test.download", input: { chunks: 2 } })),
    ]);
    for (let at = 0; at < bytes.length; at += 7) {
      peer.write(bytes.subarray(at, at + 7));
      await sleep(1);
    }
    await expect
      .poll(() => frames.filter((frame) => (frame.message as { type: string }).type === "result").length)
      .toBe(2);
    peer.destroy();
    const results = frames.filter((frame) => (frame.message as { type: string }).type === "result");
    expect(results.map((frame) => frame.message)).toContainEqual({
      type: "result",
      id: 1,
      data: { bytes: 2 * body.length, chunks: 2, sha256: sha256().update(body).update(body).digest("hex") },
    });
    // Down: the download's items came as binary frames of a whole chunk each, no base64.
    const items = frames.filter((frame) => (frame.message as { type: string }).type === "item");
    expect(items).toHaveLength(2);
    expect(items.map((frame) => [frame.message, frame.bin?.length])).toEqual([
      [{ type: "item", id: 2, bin: MAX_CHUNK_BYTES }, MAX_CHUNK_BYTES],
      [{ type: "item", id: 2, bin: MAX_CHUNK_BYTES }, MAX_CHUNK_BYTES],
    ]);
    const hash = sha256();
    for (const item of items) hash.update(item.bin ?? Buffer.alloc(0));
    const done = results.find((frame) => (frame.message as { id: number }).id === 2)?.message as {
      data: { sha256: string };
    };
    expect(hash.digest("hex")).toBe(done.data.sha256);

    // Where a binary frame may not be: an upstream that is not bytes() alone, a call's own message, data and bin
    // together, a length past a chunk. Each closes the connection (and aborts its calls).
    const binary = (message: object, chunk: Buffer) =>
      `${JSON.stringify({ ...message, bin: chunk.length })}\n${chunk.toString("latin1")}`;
    const pty = await raw([
      hello,
      encode({ type: "call", id: 1, op: "test.pty", input: {} }),
      binary({ type: "send", id: 1 }, Buffer.from("x")),
    ]);
    expect(pty.at(-1)).toContain("test.pty takes no binary frames");
    const onCall = await raw([
      hello,
      binary({ type: "call", id: 1, op: "test.echo", input: { text: "x" } }, Buffer.from("x")),
    ]);
    expect(onCall.at(-1)).toContain("not a protocol message");
    const both = await raw([
      hello,
      encode({ type: "call", id: 1, op: "test.upload", input: { slow: false } }),
      binary({ type: "send", id: 1, data: "eA==" }, Buffer.from("x")),
    ]);
    expect(both.at(-1)).toContain("not a protocol message");
    const tooLong = await raw([
      hello,
      encode({ type: "call", id: 1, op: "test.upload", input: { slow: false } }),
      `${JSON.stringify({ type: "send", id: 1, bin: MAX_CHUNK_BYTES + 1 })}\n`,
    ]);
    expect(tooLong.at(-1)).toContain("binary frame");
  });

  it("closes on a peer that sends up where it may not: no upstream declared, past its credit, after its end", async () => {
    const chunk = Buffer.from("x").toString("base64");
    seen.aborted = false;
    const none = await raw([
      hello,
      encode({ type: "call", id: 1, op: "test.wait", input: {} }),
      encode({ type: "send", id: 1, data: chunk }),
    ]);
    expect(none.at(-1)).toContain("test.wait takes nothing sent up");
    // Its calls were aborted with it.
    await expect.poll(() => seen.aborted).toBe(true);

    resetUp();
    const flood = await raw([
      hello,
      encode({ type: "call", id: 1, op: "test.stall", input: {} }),
      ...Array.from({ length: WINDOW + 1 }, () => encode({ type: "send", id: 1, data: chunk })),
    ]);
    expect(flood.at(-1)).toContain("was sent more than its credit allows");
    await expect.poll(() => up.aborted).toBe(true);

    const late = await raw([
      hello,
      encode({ type: "call", id: 1, op: "test.stall", input: {} }),
      encode({ type: "end", id: 1 }),
      encode({ type: "send", id: 1, data: chunk }),
    ]);
    expect(late.at(-1)).toContain("was sent something after its end");

    // What crosses a call's answer is dropped quietly: the call has ended, the connection goes on.
    const crossed = await raw([
      hello,
      encode({ type: "call", id: 1, op: "test.echo", input: { text: "x" } }),
      encode({ type: "send", id: 7, data: chunk }),
      encode({ type: "end", id: 7 }),
      encode({ type: "call", id: 2, op: "test.echo", input: { text: "y" } }),
    ]);
    expect(crossed.filter((line) => line.includes('"result"'))).toHaveLength(2);
    expect(crossed.some((line) => line.includes("HELPER_PROTOCOL"))).toBe(false);
  });
});
