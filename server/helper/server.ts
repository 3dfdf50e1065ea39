import { chmod, chown, mkdir, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import path from "node:path";
import { z, ZodError } from "zod";
import { AppError, said } from "../errors";
import type { TLogger } from "../log";
import type { TOperation, TOperationTable } from "./operation";
import { isAllowedPeer, peerOf } from "./peer";
import { isBinarySchema, isChunk } from "./contract/define";
import {
  encode,
  drained,
  encodeBinary,
  FrameDecoder,
  MAX_LINE_BYTES,
  PROTOCOL_VERSION,
  toWireError,
  WINDOW,
  ZClientMessage,
  type THelperMessage,
} from "./contract/protocol";

/**
 * The helper's socket server: a unix socket in a directory of its own (0750, group of the allowed user), the socket
 * itself 0660; every connection is checked again by the credentials of the processes at the other end, and refused
 * unless all of them run as an allowed uid. Then the protocol of ./protocol.ts: hello, calls (validated against
 * their operation's schema), cancels, credits, and values sent up into running calls. A connection that breaks the
 * protocol is closed; its calls are aborted, and so are all calls of a connection that goes away.
 */
export type THelperServerOptions = {
  socketPath: string;
  /** The uids that may connect (the web tier's). */
  allowedUids: readonly number[];
  /** The group that may reach the socket's directory (the web tier's user's group). */
  socketGroup: number;
  operations: TOperationTable;
  log: TLogger;
};

/** Open connections the helper serves at once (the web tier keeps one). */
export const MAX_CONNECTIONS = 16;
/** Calls one connection may have running at once. */
export const MAX_CALLS = 256;
const HELLO_TIMEOUT_MS = 5000;

type TCall = {
  /** The operation's wire name, for what the log and the errors say. */
  op: string;
  controller: AbortController;
  /** Items the operation may still emit before the client credits more. */
  credit: number;
  /** Woken on every change: credit, a value sent up, its end, an abort. Each waiter checks again what it waits for. */
  waiters: (() => void)[];
  /** What the client sends up, for an operation that declares it; null for the others. */
  up: TUpstream | null;
  /** A value sent up that its schema refused: the call ends with this. */
  refused: AppError | null;
};

type TUpstream = {
  schema: z.ZodType;
  /** Decoded, not yet taken by the operation: at most WINDOW, as the client may send no more unless credited. */
  queue: unknown[];
  ended: boolean;
  /** Values the client may still send: WINDOW at the start, more with each credit the helper gives. */
  allowed: number;
  /** Values the operation took since the last credit. */
  taken: number;
};

export const startHelperServer = async (options: THelperServerOptions): Promise<Server> => {
  const { socketPath, operations, log } = options;
  const dir = path.dirname(socketPath);
  await mkdir(dir, { recursive: true, mode: 0o750 });
  await chown(dir, 0, options.socketGroup);
  await chmod(dir, 0o750);
  await rm(socketPath, { force: true });

  let connections = 0;
  const server = createServer((socket) => {
    // The web tier keeps one connection (and its CLI or a test a few more): a flood of them is refused at once,
    // before the peer check runs a process for each.
    if (connections >= MAX_CONNECTIONS) {
      log.warn("helper connection refused: too many open", { connections });
      socket.destroy();
      return;
    }
    connections += 1;
    socket.once("close", () => (connections -= 1));
    void serve(socket, options).catch((error: unknown) => {
      log.error("helper connection failed", { error });
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, resolve);
  });
  await chown(socketPath, 0, options.socketGroup);
  await chmod(socketPath, 0o660);
  log.info("helper listening", { socketPath, operations: Object.keys(operations).length });
  return server;
};

const serve = async (socket: Socket, { allowedUids, operations, log }: THelperServerOptions) => {
  // Until the peer is known, nothing it sends is read.
  socket.pause();
  const peer = await peerOf(socket);
  if (!isAllowedPeer(peer, allowedUids)) {
    log.warn("helper connection refused: not the web tier's user", { peer });
    // Ended and then destroyed: a paused socket never reads the peer's own end, so it would never close by itself.
    socket.end(encode({ type: "refused", message: "This socket is for Atelier's web tier only" }), () =>
      socket.destroy(),
    );
    setTimeout(() => socket.destroy(), 1000).unref();
    return;
  }

  const calls = new Map<number, TCall>();
  let greeted = false;
  let closed = false;
  // A peer that never says hello holds a connection for nothing.
  const helloTimer = setTimeout(() => {
    if (!greeted) socket.destroy();
  }, HELLO_TIMEOUT_MS);
  socket.once("close", () => clearTimeout(helloTimer));

  const send = async (message: THelperMessage, chunk: Buffer | null = null) => {
    if (closed) return;
    if (chunk && message.type === "item") {
      // A binary frame: its header line, then the chunk's own bytes (one write each; the socket queues them).
      socket.write(encodeBinary(message, chunk));
      if (!socket.write(chunk)) await drained(socket);
      return;
    }
    let line = encode(message);
    // A line past the limit would make the client drop the connection, and every call on it: that one call fails.
    if (Buffer.byteLength(line) > MAX_LINE_BYTES && "id" in message && message.id !== null) {
      log.error("helper answer too long for a protocol line", { id: message.id, type: message.type });
      const call = calls.get(message.id);
      if (message.type === "item" && call) {
        // The call ends with this error (its work stopped): the web tier would otherwise clean up behind a command
        // still writing.
        call.refused = new AppError("INTERNAL", said("helperAnswerTooLong"));
        call.controller.abort();
        return;
      }
      line = encode({
        type: "error",
        id: message.id,
        error: { code: "INTERNAL", ...said("helperAnswerTooLong") },
      });
    }
    if (!socket.write(line)) await drained(socket);
  };

  // Every call of a connection that goes away or breaks the protocol is aborted: its processes killed, its
  // upstream ended, whatever waits for credit woken.
  const shutdown = () => {
    closed = true;
    for (const call of calls.values()) call.controller.abort();
  };

  const fail = (message: string) => {
    void send({ type: "error", id: null, error: { code: "HELPER_PROTOCOL", message } });
    shutdown();
    socket.end();
  };

  const wake = (call: TCall) => {
    for (const resolve of call.waiters.splice(0)) resolve();
  };
  const waitFor = (call: TCall) => new Promise<void>((resolve) => call.waiters.push(resolve));

  /** The values sent up, in order, as the operation takes them; each taken value is credited back in batches. */
  const upstreamOf = (id: number, call: TCall): AsyncIterable<unknown> => ({
    [Symbol.asyncIterator]: () => ({
      next: async (): Promise<IteratorResult<unknown>> => {
        const up = call.up;
        for (;;) {
          if (!up || call.controller.signal.aborted) return { done: true, value: undefined };
          if (up.queue.length > 0) {
            const value = up.queue.shift();
            up.taken += 1;
            if (up.taken >= WINDOW / 2) {
              up.allowed += up.taken;
              void send({ type: "credit", id, n: up.taken });
              up.taken = 0;
            }
            return { done: false, value };
          }
          if (up.ended) return { done: true, value: undefined };
          await waitFor(call);
        }
      },
    }),
  });

  /** An item as the contract puts it on the wire; an item outside it is the helper's bug, stopped here. */
  const encodeItem = (operation: TOperation, call: TCall, data: unknown) => {
    if (!operation.item) return data;
    if (isBinarySchema(operation.item)) {
      if (isChunk(data)) return data;
      log.error("helper operation emitted an item outside its contract", {
        op: call.op,
        issues: "not a chunk",
      });
      throw new AppError("INTERNAL", said("helperItemRefused", { op: call.op }));
    }
    const encoded = z.safeEncode(operation.item, data);
    if (encoded.success) return encoded.data;
    log.error("helper operation emitted an item outside its contract", {
      op: call.op,
      issues: encoded.error.issues.slice(0, 3),
    });
    throw new AppError("INTERNAL", said("helperItemRefused", { op: call.op }));
  };

  const run = async (id: number, op: string, operation: TOperation, input: unknown) => {
    const call: TCall = {
      op,
      controller: new AbortController(),
      credit: WINDOW,
      waiters: [],
      up: operation.upstream
        ? { schema: operation.upstream, queue: [], ended: false, allowed: WINDOW, taken: 0 }
        : null,
      refused: null,
    };
    calls.set(id, call);
    call.controller.signal.addEventListener("abort", () => wake(call), { once: true });
    // Past its time, an operation is aborted like a cancelled one (its processes killed) and answers TIMEOUT.
    let timedOut = false;
    const timer =
      operation.timeoutMs == null
        ? null
        : setTimeout(() => {
            timedOut = true;
            call.controller.abort();
          }, operation.timeoutMs);
    const emit = async (data: unknown) => {
      const encoded = encodeItem(operation, call, data);
      while (call.credit <= 0 && !call.controller.signal.aborted) await waitFor(call);
      if (call.controller.signal.aborted) return;
      call.credit -= 1;
      if (Buffer.isBuffer(encoded)) await send({ type: "item", id, bin: encoded.length }, encoded);
      else await send({ type: "item", id, data: encoded });
    };
    try {
      const parsed: unknown = operation.input.parse(input);
      if (operation.ticket === "always" && !hasTicket(parsed))
        throw new AppError("FORBIDDEN", said("ticketMissing", { op }));
      const data = await operation.run(parsed, {
        signal: call.controller.signal,
        emit,
        upstream: upstreamOf(id, call),
      });
      // Done despite a timeout that fired at the end: the work happened, so its result is the answer.
      if (call.controller.signal.aborted && !timedOut) throw new CancelledError();
      await send({ type: "result", id, data: data ?? null });
    } catch (error) {
      if (call.refused) {
        await send({ type: "error", id, error: toWireError(call.refused) });
      } else if (timedOut) {
        log.warn("helper operation timed out", { id, timeoutMs: operation.timeoutMs });
        await send({
          type: "error",
          id,
          error: {
            code: "TIMEOUT",
            ...said("operationTimedOut", { seconds: Math.round((operation.timeoutMs ?? 0) / 1000) }),
          },
        });
      } else if (error instanceof CancelledError || call.controller.signal.aborted) {
        await send({
          type: "error",
          id,
          error: { code: "CANCELLED", ...said("operationCancelled") },
        });
      } else {
        // Refusals (an AppError, an input its schema refused) are answers; anything else is a bug to look at.
        if (!(error instanceof AppError) && !(error instanceof ZodError))
          log.error("helper operation failed", { error, id });
        await send({ type: "error", id, error: toWireError(error) });
      }
    } finally {
      if (timer) clearTimeout(timer);
      // Its upstream ends with it: an operation still waiting for a value (its program ended first) is let go.
      if (call.up) call.up.ended = true;
      calls.delete(id);
      wake(call);
    }
  };

  /**
   * A value sent up: decoded into the call's queue, or the call ended when its schema refuses it. A binary frame's
   * chunk (bounded by the decoder, allowed only for a `bytes()` upstream) is the value itself.
   */
  const receive = (call: TCall, up: TUpstream, data: unknown, chunk: Buffer | null) => {
    up.allowed -= 1;
    if (call.controller.signal.aborted) return;
    if (chunk) {
      up.queue.push(chunk);
      wake(call);
      return;
    }
    const decoded = up.schema.safeParse(data);
    if (decoded.success) {
      up.queue.push(decoded.data);
    } else {
      const [first] = decoded.error.issues;
      const field = first?.path.join(".") ?? "";
      const problem = first?.message ?? "invalid";
      call.refused = new AppError(
        "BAD_REQUEST",
        field
          ? { ...said("sentUpRefusedField", { op: call.op, field, problem }), field }
          : said("sentUpRefused", { op: call.op, problem }),
      );
      call.controller.abort();
    }
    wake(call);
  };

  const decoder = new FrameDecoder();
  socket.on("data", (chunk: Buffer) => {
    if (closed) return;
    let frames: ReturnType<FrameDecoder["push"]>;
    try {
      frames = decoder.push(chunk);
    } catch (error) {
      fail(error instanceof Error ? error.message : "not a protocol message");
      return;
    }
    for (const frame of frames) {
      let message;
      try {
        message = ZClientMessage.parse(frame.message);
      } catch {
        fail("not a protocol message");
        return;
      }
      if (!greeted) {
        if (message.type !== "hello" || message.version !== PROTOCOL_VERSION) {
          fail(`the helper speaks protocol version ${PROTOCOL_VERSION}; say hello with it first`);
          return;
        }
        greeted = true;
        clearTimeout(helloTimer);
        void send({ type: "hello", version: PROTOCOL_VERSION, operations: Object.keys(operations).sort() });
        continue;
      }
      if (message.type === "call") {
        if (calls.has(message.id)) {
          fail(`call ${message.id} is already running`);
          return;
        }
        if (calls.size >= MAX_CALLS) {
          void send({
            type: "error",
            id: message.id,
            error: { code: "TOO_MANY_REQUESTS", ...said("helperTooManyCalls", { max: MAX_CALLS }) },
          });
          continue;
        }
        const operation = Object.hasOwn(operations, message.op) ? operations[message.op] : undefined;
        if (!operation) {
          void send({
            type: "error",
            id: message.id,
            error: { code: "BAD_REQUEST", ...said("helperNoOperation", { op: message.op.slice(0, 100) }) },
          });
          continue;
        }
        void run(message.id, message.op, operation, message.input);
      } else if (message.type === "cancel") {
        calls.get(message.id)?.controller.abort();
      } else if (message.type === "credit") {
        const call = calls.get(message.id);
        if (call) {
          call.credit = Math.min(WINDOW, call.credit + message.n);
          wake(call);
        }
      } else if (message.type === "send" || message.type === "end") {
        // A call that has ended may still see what the client sent before it heard so: that is dropped.
        const call = calls.get(message.id);
        if (!call) continue;
        const up = call.up;
        if (!up) {
          fail(`${call.op} takes nothing sent up`);
          return;
        }
        if (up.ended) {
          fail(`call ${message.id} was sent something after its end`);
          return;
        }
        if (message.type === "end") {
          up.ended = true;
          wake(call);
        } else if (up.allowed <= 0) {
          fail(`call ${message.id} was sent more than its credit allows`);
          return;
        } else if (frame.bin && !isBinarySchema(up.schema)) {
          fail(`${call.op} takes no binary frames`);
          return;
        } else {
          receive(call, up, message.data, frame.bin);
        }
      }
    }
  });
  socket.on("close", shutdown);
  socket.on("error", () => socket.destroy());
  socket.resume();
};

class CancelledError extends Error {}

const hasTicket = (input: unknown) =>
  typeof input === "object" &&
  input !== null &&
  "ticket" in input &&
  typeof input.ticket === "string" &&
  input.ticket.length > 0;
