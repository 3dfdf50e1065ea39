import { connect, type Socket } from "node:net";
import type { z } from "zod";
import { AppError } from "../errors";
import { logger } from "../log";
import { contract, type THelperContract } from "../helper/contract";
import { wireName, type TContract, type TOp } from "../helper/contract/define";
import type { TInputOf, TOperationTable, TOutputOf } from "../helper/operation";
import type { THelperOperations as TLegacyOperations } from "../helper/operations";
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
 * The web tier's client for the helper, generated from the contract (../helper/contract): one method per operation,
 * by family (`helper.lxc.start({ name })`, `helper.config.write(…)`), typed by the operation's schemas; its result and
 * every item of a stream are parsed with the contract's schemas, so a helper that answers otherwise fails loudly
 * rather than passing on a shape nobody checked. One connection, opened on first use and again after it breaks.
 *
 * A streaming operation's method takes `onItem`, and credits each item once `onItem` has returned (or its promise
 * settled): a slow consumer slows the operation down instead of piling items up. An aborted `signal` cancels the
 * call in the helper. Past the operation's timeout (and a grace for the helper's own answer), the call fails with
 * TIMEOUT and is cancelled.
 */
type TCallOptions<TItem> = { signal?: AbortSignal; onItem?: (item: TItem) => unknown };

type TMethod<T extends TOp> = (
  input: z.input<T["input"]>,
  options?: TCallOptions<T["item"] extends z.ZodType ? z.output<T["item"]> : never>,
) => Promise<z.output<T["output"]>>;

export type THelperFamilies<C extends TContract> = {
  [F in keyof C]: { [K in keyof C[F]]: TMethod<C[F][K]> };
};

export type THelper<C extends TContract = THelperContract> = THelperFamilies<C> &
  THelperClient<TLegacyOperations> & {
    /** Calls made so far, by operation (the bench's round-trip figures). */
    calls: () => Record<string, number>;
    close: () => void;
  };

/** The untyped call under the families: protocol tests use it with tables of their own. */
export type THelperConnection = {
  call: (
    op: string,
    input: unknown,
    options?: { signal?: AbortSignal; onItem?: (item: unknown) => unknown; timeoutMs?: number | null },
  ) => Promise<unknown>;
  close: () => void;
};

/**
 * The string-named call of the operations not yet in the contract, typed by the helper's table as before; it goes
 * once every family is in the contract.
 */
export type THelperClient<T extends TOperationTable> = {
  call: <K extends keyof T & string>(
    op: K,
    input: TInputOf<T[K]>,
    options?: { signal?: AbortSignal; onItem?: (item: unknown) => unknown },
  ) => Promise<TOutputOf<T[K]>>;
  close: () => void;
};

/** What the client waits beyond an operation's own timeout for the helper to say it stopped it. */
const TIMEOUT_GRACE_MS = 15_000;

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

export const connectHelper = (socketPath: string): THelperConnection => {
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
            // A consumer that throws (even at once) only loses that item; the stream goes on.
            void new Promise((settle) => settle(call.onItem?.(message.data)))
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
        const timer =
          options.timeoutMs == null
            ? null
            : setTimeout(() => {
                const call = pending.get(id);
                if (!call) return;
                pending.delete(id);
                onAbort();
                call.reject(
                  new AppError("TIMEOUT", {
                    message: `Atelier's helper did not answer ${op} in time`,
                    hint: "See the helper's log; restart Atelier if it persists.",
                  }),
                );
              }, options.timeoutMs + TIMEOUT_GRACE_MS);
        const settle = () => {
          if (timer) clearTimeout(timer);
          options.signal?.removeEventListener("abort", onAbort);
        };
        pending.set(id, {
          resolve: (value) => {
            settle();
            resolve(value);
          },
          reject: (error) => {
            settle();
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

/** The typed client of a contract: each family's methods call `family.name` and check what comes back. */
export const createHelper = <C extends TContract = THelperContract>(
  socketPath: string,
  helperContract: C = contract as unknown as C,
): THelper<C> => {
  const connection = connectHelper(socketPath);
  const counts: Record<string, number> = {};
  const families: Record<string, Record<string, TMethod<TOp>>> = {};
  for (const [family, operations] of Object.entries(helperContract)) {
    families[family] = {};
    for (const [name, declared] of Object.entries(operations) as [string, TOp][]) {
      const op = wireName(family, name);
      families[family][name] = async (input, options = {}) => {
        counts[op] = (counts[op] ?? 0) + 1;
        const { item } = declared;
        const onItem = options.onItem;
        // An item outside the contract ends the call: the stream is cancelled and the call fails with the reason.
        const broken = new AbortController();
        const outside: { error: Error | null } = { error: null };
        const signal = options.signal ? AbortSignal.any([options.signal, broken.signal]) : broken.signal;
        let value: unknown;
        try {
          value = await connection.call(op, input, {
            signal,
            timeoutMs: declared.timeoutMs,
            ...(onItem && item
              ? {
                  onItem: (data: unknown) => {
                    let parsed: unknown;
                    try {
                      parsed = checked(op, "an item", item, data);
                    } catch (error) {
                      outside.error ??= error as Error;
                      broken.abort();
                      return;
                    }
                    return onItem(parsed as never);
                  },
                }
              : {}),
          });
        } catch (error) {
          throw outside.error ?? error;
        }
        if (outside.error) throw outside.error;
        return checked(op, "a result", declared.output, value);
      };
    }
  }
  return {
    ...(families as THelperFamilies<C>),
    call: (
      op: string,
      input: unknown,
      options?: { signal?: AbortSignal; onItem?: (item: unknown) => unknown },
    ) => {
      counts[op] = (counts[op] ?? 0) + 1;
      return connection.call(op, input, options);
    },
    calls: () => ({ ...counts }),
    close: () => connection.close(),
  } as unknown as THelper<C>;
};

/** A value from the helper, parsed by its schema: a mismatch is the helper's bug, said as such. */
const checked = (op: string, what: string, schema: z.ZodType, value: unknown) => {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  log.error("the helper answered outside its contract", {
    op,
    what,
    issues: parsed.error.issues.slice(0, 3),
  });
  throw new AppError("INTERNAL", {
    message: `Atelier's helper answered ${op} with ${what} its contract does not allow`,
    hint: "The helper and the web tier are of different versions, or the helper has a bug: see the log.",
  });
};
