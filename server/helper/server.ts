import { chmod, chown, mkdir, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import path from "node:path";
import { ZodError } from "zod";
import { AppError } from "../errors";
import type { TLogger } from "../log";
import type { TOperation, TOperationTable } from "./operation";
import { isAllowedPeer, peerOf } from "./peer";
import {
  encode,
  LineDecoder,
  PROTOCOL_VERSION,
  toWireError,
  WINDOW,
  ZClientMessage,
  type THelperMessage,
} from "./protocol";

/**
 * The helper's socket server: a unix socket in a directory of its own (0750, group of the allowed user), the socket
 * itself 0660; every connection is checked again by the credentials of the processes at the other end, and refused
 * unless all of them run as an allowed uid. Then the protocol of ./protocol.ts: hello, calls (validated against
 * their operation's schema), cancels and credits. A connection that breaks the protocol is closed; its calls are
 * aborted, and so are all calls of a connection that goes away.
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

type TCall = { controller: AbortController; credit: number; waiters: (() => void)[] };

export const startHelperServer = async (options: THelperServerOptions): Promise<Server> => {
  const { socketPath, operations, log } = options;
  const dir = path.dirname(socketPath);
  await mkdir(dir, { recursive: true, mode: 0o750 });
  await chown(dir, 0, options.socketGroup);
  await chmod(dir, 0o750);
  await rm(socketPath, { force: true });

  const server = createServer((socket) => {
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
  socket.setEncoding("utf8");
  // Until the peer is known, nothing it sends is read.
  socket.pause();
  const peer = await peerOf(socket);
  if (!isAllowedPeer(peer, allowedUids)) {
    log.warn("helper connection refused: not the web tier's user", { peer });
    socket.end(encode({ type: "refused", message: "This socket is for Atelier's web tier only" }));
    return;
  }

  const calls = new Map<number, TCall>();
  let greeted = false;
  let closed = false;

  const send = async (message: THelperMessage) => {
    if (closed) return;
    if (!socket.write(encode(message))) {
      await new Promise<void>((resolve) => {
        const done = () => {
          socket.off("drain", done);
          socket.off("close", done);
          resolve();
        };
        socket.on("drain", done);
        socket.on("close", done);
      });
    }
  };

  const fail = (message: string) => {
    void send({ type: "error", id: null, error: { code: "HELPER_PROTOCOL", message } });
    socket.end();
  };

  const run = async (id: number, operation: TOperation, input: unknown) => {
    const call: TCall = { controller: new AbortController(), credit: WINDOW, waiters: [] };
    calls.set(id, call);
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
      while (call.credit <= 0 && !call.controller.signal.aborted) {
        await new Promise<void>((resolve) => call.waiters.push(resolve));
      }
      if (call.controller.signal.aborted) return;
      call.credit -= 1;
      await send({ type: "item", id, data });
    };
    try {
      const parsed = operation.input.parse(input);
      const data = await operation.run(parsed, { signal: call.controller.signal, emit });
      if (call.controller.signal.aborted) throw new CancelledError();
      await send({ type: "result", id, data: data ?? null });
    } catch (error) {
      if (timedOut) {
        log.warn("helper operation timed out", { id, timeoutMs: operation.timeoutMs });
        await send({
          type: "error",
          id,
          error: {
            code: "TIMEOUT",
            message: `The operation did not finish within ${Math.round((operation.timeoutMs ?? 0) / 1000)} s and was stopped`,
          },
        });
      } else if (error instanceof CancelledError || call.controller.signal.aborted) {
        await send({
          type: "error",
          id,
          error: { code: "CANCELLED", message: "The operation was cancelled" },
        });
      } else {
        // Refusals (an AppError, an input its schema refused) are answers; anything else is a bug to look at.
        if (!(error instanceof AppError) && !(error instanceof ZodError))
          log.error("helper operation failed", { error, id });
        await send({ type: "error", id, error: toWireError(error) });
      }
    } finally {
      if (timer) clearTimeout(timer);
      calls.delete(id);
      for (const wake of call.waiters.splice(0)) wake();
    }
  };

  const decoder = new LineDecoder();
  socket.on("data", (chunk: string) => {
    let lines: string[];
    try {
      lines = decoder.push(chunk);
    } catch {
      fail("line too long");
      return;
    }
    for (const line of lines) {
      let message;
      try {
        message = ZClientMessage.parse(JSON.parse(line));
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
        void send({ type: "hello", version: PROTOCOL_VERSION, operations: Object.keys(operations).sort() });
        continue;
      }
      if (message.type === "call") {
        if (calls.has(message.id)) {
          fail(`call ${message.id} is already running`);
          return;
        }
        const operation = Object.hasOwn(operations, message.op) ? operations[message.op] : undefined;
        if (!operation) {
          void send({
            type: "error",
            id: message.id,
            error: {
              code: "BAD_REQUEST",
              message: `The helper has no operation "${message.op.slice(0, 100)}"`,
            },
          });
          continue;
        }
        void run(message.id, operation, message.input);
      } else if (message.type === "cancel") {
        calls.get(message.id)?.controller.abort();
      } else if (message.type === "credit") {
        const call = calls.get(message.id);
        if (call) {
          call.credit = Math.min(WINDOW, call.credit + message.n);
          for (const wake of call.waiters.splice(0)) wake();
        }
      }
    }
  });
  socket.on("close", () => {
    closed = true;
    for (const call of calls.values()) {
      call.controller.abort();
      for (const wake of call.waiters.splice(0)) wake();
    }
  });
  socket.on("error", () => socket.destroy());
  socket.resume();
};

class CancelledError extends Error {}
