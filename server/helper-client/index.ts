import { connect, type Socket } from "node:net";
import { AppError } from "../errors";
import { logger } from "../log";
import type { TInputOf, TOperationTable, TOutputOf } from "../helper/operation";
import {
  encode,
  fromWireError,
  LineDecoder,
  PROTOCOL_VERSION,
  WINDOW,
  type TClientMessage,
  type THelperMessage,
} from "../helper/protocol";

/**
 * The web tier's client for the helper: one connection, opened on first use and again after it breaks; each call
 * typed by the helper's operation table. A streaming call takes `onItem`, and credits each item once `onItem` has
 * returned (or its promise settled): a slow consumer slows the operation down instead of piling items up. An
 * aborted `signal` cancels the call in the helper.
 */
export type THelperClient<T extends TOperationTable> = {
  call: <K extends keyof T & string>(
    op: K,
    input: TInputOf<T[K]>,
    options?: { signal?: AbortSignal; onItem?: (item: unknown) => unknown },
  ) => Promise<TOutputOf<T[K]>>;
  close: () => void;
};

const log = logger.child({ component: "helper-client" });

type TPending = {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onItem: ((item: unknown) => unknown) | undefined;
  consumed: number;
};

const unavailable = (detail: string) =>
  new AppError("INTERNAL", {
    message: `Atelier's helper cannot be reached (${detail})`,
    hint: "The helper runs beside the web tier; restart Atelier, and see its log if this persists.",
  });

export const createHelperClient = <T extends TOperationTable>(socketPath: string): THelperClient<T> => {
  let connection: Promise<{ socket: Socket; pending: Map<number, TPending> }> | null = null;
  let nextId = 1;

  const open = () =>
    new Promise<{ socket: Socket; pending: Map<number, TPending> }>((resolve, reject) => {
      const socket = connect(socketPath);
      const pending = new Map<number, TPending>();
      const decoder = new LineDecoder();
      let greeted = false;
      const write = (message: TClientMessage) => socket.write(encode(message));
      const breakAll = (error: AppError) => {
        connection = null;
        for (const call of pending.values()) call.reject(error);
        pending.clear();
        reject(error);
      };
      socket.setEncoding("utf8");
      socket.on("connect", () => write({ type: "hello", version: PROTOCOL_VERSION }));
      socket.on("error", (error) => breakAll(unavailable(error.message)));
      socket.on("close", () => breakAll(unavailable("the connection closed")));
      socket.on("data", (chunk: string) => {
        let lines: string[];
        try {
          lines = decoder.push(chunk);
        } catch {
          socket.destroy();
          return;
        }
        for (const line of lines) {
          const message = JSON.parse(line) as THelperMessage;
          if (!greeted) {
            if (message.type !== "hello") {
              socket.destroy();
              breakAll(unavailable(message.type === "refused" ? message.message : "no hello"));
              return;
            }
            greeted = true;
            resolve({ socket, pending });
            continue;
          }
          if (message.type === "refused" || message.type === "hello") continue;
          if (message.id === null) continue;
          const call = pending.get(message.id);
          if (!call) continue;
          if (message.type === "item") {
            const id = message.id;
            void Promise.resolve(call.onItem?.(message.data))
              .catch(() => undefined)
              .then(() => {
                call.consumed += 1;
                if (call.consumed >= WINDOW / 2 && pending.has(id)) {
                  write({ type: "credit", id, n: call.consumed });
                  call.consumed = 0;
                }
              });
          } else if (message.type === "result") {
            pending.delete(message.id);
            call.resolve(message.data);
          } else {
            pending.delete(message.id);
            call.reject(fromWireError(message.error));
          }
        }
      });
    });

  return {
    call: async (op, input, options = {}) => {
      log.debug("helper call", { op });
      connection ??= open();
      const { socket, pending } = await connection;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const onAbort = () => socket.write(encode({ type: "cancel", id }));
        options.signal?.addEventListener("abort", onAbort, { once: true });
        pending.set(id, {
          resolve: (value) => {
            options.signal?.removeEventListener("abort", onAbort);
            resolve(value as TOutputOf<T[typeof op]>);
          },
          reject: (error) => {
            options.signal?.removeEventListener("abort", onAbort);
            reject(error);
          },
          onItem: options.onItem,
          consumed: 0,
        });
        socket.write(encode({ type: "call", id, op, input }));
        if (options.signal?.aborted) onAbort();
      });
    },
    close: () => {
      void connection?.then(({ socket }) => socket.destroy()).catch(() => undefined);
      connection = null;
    },
  };
};
