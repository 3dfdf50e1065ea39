import { connect, type Socket } from "node:net";
import { z } from "zod";
import { AppError, said } from "../errors";
import { logger } from "../log";
import { contract, type THelperContract } from "../helper/contract";
import { isBinarySchema, isChunk, wireName, type TContract, type TOp } from "../helper/contract/define";
import {
  encode,
  drained,
  encodeBinary,
  FrameDecoder,
  fromWireError,
  MAX_LINE_BYTES,
  PROTOCOL_VERSION,
  WINDOW,
  type TClientMessage,
  type THelperMessage,
} from "../helper/contract/protocol";

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
 *
 * An operation that declares an upstream (a console, an upload) returns a handle at once instead of a promise: see
 * TUpstreamCall.
 */
type TCallOptions<TItem> = { signal?: AbortSignal; onItem?: (item: TItem) => unknown };

/**
 * A running call that takes values while it runs. A handle rather than a Node stream: the values are typed by the
 * contract (bytes and control values such as a console's resize in one ordered stream), and the one thing a writer
 * needs from back-pressure is a promise to wait on.
 *
 * - `write` sends one value (encoded with the contract's upstream schema: a `bytes()` chunk is a Buffer of at most
 *   MAX_CHUNK_BYTES); it resolves once it is handed to the socket, which is when the helper's credit allows, so a
 *   writer that awaits each write goes no faster than the operation takes. Writes go in the order they were made,
 *   awaited or not. A value its schema refuses rejects that write with BAD_REQUEST and is not sent. Once the call
 *   has ended (`end`, `cancel`, its result, a broken connection), writes reject.
 * - `end` says nothing more comes (after the writes already made); the operation's upstream then ends.
 * - `cancel` stops the call, as an aborted `signal` does; writes still waiting reject.
 * - `result` is the operation's answer, as a plain call's promise. It and the writes' promises are marked
 *   handled, so a cancelled call whose promises nobody awaits does not bring the process down.
 */
export type TUpstreamCall<TUp, TOutput> = {
  write: (value: TUp) => Promise<void>;
  end: () => void;
  cancel: () => void;
  result: Promise<TOutput>;
};

type TMethod<T extends TOp> = (
  input: z.input<T["input"]>,
  options?: TCallOptions<T["item"] extends z.ZodType ? z.output<T["item"]> : never>,
) => T["upstream"] extends z.ZodType
  ? TUpstreamCall<z.output<T["upstream"]>, z.output<T["output"]>>
  : Promise<z.output<T["output"]>>;

export type THelperFamilies<C extends TContract> = {
  [F in keyof C]: { [K in keyof C[F]]: TMethod<C[F][K]> };
};

export type THelper<C extends TContract = THelperContract> = THelperFamilies<C> & {
  /** Calls made so far, by operation (the bench's round-trip figures). */
  calls: () => Record<string, number>;
  close: () => void;
};

type TConnectionCallOptions = {
  signal?: AbortSignal;
  onItem?: (item: unknown) => unknown;
  timeoutMs?: number | null;
};

/** The untyped call under the families: protocol tests use it with tables of their own. */
export type THelperConnection = {
  call: (op: string, input: unknown, options?: TConnectionCallOptions) => Promise<unknown>;
  /**
   * A call that takes values while it runs; `write` sends them as they are (already encoded for the wire), a Buffer
   * as a binary frame.
   */
  open: (op: string, input: unknown, options?: TConnectionCallOptions) => TUpstreamCall<unknown, unknown>;
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
  /** Values this call may still send up before the helper credits more. */
  upCredit: number;
  /** Writers waiting for credit. */
  upWaiters: (() => void)[];
};

/** The helper cannot be reached: why, in the socket's or the helper's words, or as one of ours. */
const unavailable = (why: { detail: string } | "closed" | "no hello") =>
  new AppError(
    "INTERNAL",
    why === "closed"
      ? said("helperConnectionClosed")
      : why === "no hello"
        ? said("helperNoHello")
        : said("helperUnreachable", why),
  );

export const connectHelper = (socketPath: string): THelperConnection => {
  let connection: Promise<{ socket: Socket; pending: Map<number, TPending> }> | null = null;
  let nextId = 1;

  const openConnection = () =>
    new Promise<{ socket: Socket; pending: Map<number, TPending> }>((resolve, reject) => {
      const socket = connect(socketPath);
      const pending = new Map<number, TPending>();
      const decoder = new FrameDecoder();
      let greeted = false;
      const write = (message: TClientMessage) => socket.write(encode(message));
      const breakAll = (error: AppError) => {
        connection = null;
        for (const call of pending.values()) call.reject(error);
        pending.clear();
        reject(error);
      };
      socket.on("connect", () => write({ type: "hello", version: PROTOCOL_VERSION }));
      socket.on("error", (error) => breakAll(unavailable({ detail: error.message })));
      socket.on("close", () => breakAll(unavailable("closed")));
      socket.on("data", (chunk: Buffer) => {
        let frames: ReturnType<FrameDecoder["push"]>;
        try {
          frames = decoder.push(chunk);
        } catch {
          socket.destroy();
          return;
        }
        for (const frame of frames) {
          const message = frame.message as THelperMessage;
          if (!greeted) {
            if (message.type !== "hello") {
              socket.destroy();
              breakAll(unavailable(message.type === "refused" ? { detail: message.message } : "no hello"));
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
          if (message.type === "credit") {
            call.upCredit += message.n;
            for (const wake of call.upWaiters.splice(0)) wake();
          } else if (message.type === "item") {
            const id = message.id;
            const data = frame.bin ?? ("data" in message ? message.data : undefined);
            // A consumer that throws (even at once) only loses that item; the stream goes on.
            void new Promise((settle) => settle(call.onItem?.(data)))
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

  const ended = (op: string) => new AppError("PRECONDITION_FAILED", said("helperCallEnded", { op }));

  const open: THelperConnection["open"] = (op, input, options = {}) => {
    log.debug("helper call", { op });
    const id = nextId++;
    // finished: the answer came, or the connection broke. ending: the caller said `end`. cancelled: or `cancel`.
    let finished = false;
    let ending = false;
    let cancelled = false;
    // Why the call failed, for the writes still waiting: a broken connection says so rather than "ended".
    let failure: Error | null = null;
    let call: TPending | null = null;
    let resolveResult: (value: unknown) => void = () => undefined;
    let rejectResult: (error: Error) => void = () => undefined;
    const result = new Promise<unknown>((resolve, reject) => {
      resolveResult = resolve;
      rejectResult = reject;
    });
    result.catch(() => undefined);

    const wakeWriters = () => {
      for (const wake of call?.upWaiters.splice(0) ?? []) wake();
    };
    const cancel = () => {
      if (finished || cancelled) return;
      cancelled = true;
      wakeWriters();
      started
        .then(({ socket }) => {
          if (!finished) socket.write(encode({ type: "cancel", id }));
        })
        .catch(() => undefined);
    };
    const finish = () => {
      finished = true;
      options.signal?.removeEventListener("abort", cancel);
      wakeWriters();
    };

    const started = (async () => {
      connection ??= openConnection();
      const opened = await connection;
      const { socket, pending } = opened;
      const timer =
        options.timeoutMs == null
          ? null
          : setTimeout(() => {
              if (!pending.has(id)) return;
              pending.delete(id);
              // Told at once (not after `finish`, which would make cancel() skip it): the helper stops the work
              // rather than carrying on behind a caller who has given up (and released its locks).
              cancelled = true;
              socket.write(encode({ type: "cancel", id }));
              finish();
              rejectResult(new AppError("TIMEOUT", said("helperTimeout", { op })));
            }, options.timeoutMs + TIMEOUT_GRACE_MS);
      call = {
        resolve: (value) => {
          if (timer) clearTimeout(timer);
          finish();
          resolveResult(value);
        },
        reject: (error) => {
          if (timer) clearTimeout(timer);
          failure = error;
          finish();
          rejectResult(error);
        },
        onItem: options.onItem,
        consumed: 0,
        upCredit: WINDOW,
        upWaiters: [],
      };
      const line = encode({ type: "call", id, op, input });
      // A line past the limit would make the helper close the connection, and every call on it: only this one fails.
      if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
        call.reject(new AppError("BAD_REQUEST", said("helperRequestTooLarge", { op })));
        return opened;
      }
      pending.set(id, call);
      socket.write(line);
      return opened;
    })();
    started.catch((error: unknown) => {
      failure = error as Error;
      finish();
      rejectResult(error as Error);
    });
    // Listened to at once: a signal aborted while the connection opens cancels the call as soon as it is sent.
    options.signal?.addEventListener("abort", cancel, { once: true });
    if (options.signal?.aborted) cancel();

    // Writes, and the end, go one after another in the order they were made.
    let tail: Promise<unknown> = started;
    const write = (data: unknown) => {
      if (finished || ending || cancelled) return Promise.reject(failure ?? ended(op));
      const before = tail;
      const step = started.then(async ({ socket }) => {
        await before.catch(() => undefined);
        while (call && call.upCredit <= 0 && !finished && !cancelled) {
          await new Promise<void>((resolve) => call?.upWaiters.push(resolve));
        }
        if (!call || finished || cancelled) throw failure ?? ended(op);
        call.upCredit -= 1;
        if (Buffer.isBuffer(data)) {
          socket.write(encodeBinary({ type: "send", id }, data));
          if (!socket.write(data)) await drained(socket);
        } else if (!socket.write(encode({ type: "send", id, data }))) await drained(socket);
      });
      tail = step;
      step.catch(() => undefined);
      return step;
    };
    const end = () => {
      if (finished || ending || cancelled) return;
      ending = true;
      const before = tail;
      tail = started
        .then(async ({ socket }) => {
          await before.catch(() => undefined);
          if (!finished && !cancelled) socket.write(encode({ type: "end", id }));
        })
        .catch(() => undefined);
    };
    return { write, end, cancel, result };
  };

  return {
    call: (op, input, options) => open(op, input, options).result,
    open,
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
  const families: Record<
    string,
    Record<string, (input: unknown, options?: TCallOptions<unknown>) => unknown>
  > = {};
  for (const [family, operations] of Object.entries(helperContract)) {
    families[family] = {};
    for (const [name, declared] of Object.entries(operations) as [string, TOp][]) {
      const op = wireName(family, name);
      families[family][name] = (input, options = {}) => {
        counts[op] = (counts[op] ?? 0) + 1;
        const { item, upstream } = declared;
        const onItem = options.onItem;
        // An item outside the contract ends the call: the stream is cancelled and the call fails with the reason.
        const broken = new AbortController();
        const outside: { error: Error | null } = { error: null };
        const signal = options.signal ? AbortSignal.any([options.signal, broken.signal]) : broken.signal;
        const callOptions = {
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
                  return onItem(parsed);
                },
              }
            : {}),
        };
        const answer = (pending: Promise<unknown>) =>
          pending.then(
            (value) => {
              if (outside.error) throw outside.error;
              return checked(op, "a result", declared.output, value);
            },
            (error: unknown) => {
              throw outside.error ?? error;
            },
          );
        if (!upstream) return answer(connection.call(op, input, callOptions));

        const call = connection.open(op, input, callOptions);
        const result = answer(call.result);
        result.catch(() => undefined);
        return {
          // Encoded here, so a value outside the contract (a chunk too large) is refused before it is sent. A
          // bytes() upstream's chunk goes as it is, in a binary frame.
          write: (value: unknown) => {
            if (isBinarySchema(upstream) && isChunk(value)) return call.write(value);
            const encoded = z.safeEncode(upstream, value);
            if (encoded.success) return call.write(encoded.data);
            const [first] = encoded.error.issues;
            const field = first?.path.join(".") ?? "";
            return Promise.reject(
              new AppError(
                "BAD_REQUEST",
                field
                  ? {
                      ...said("upstreamValueRefusedField", {
                        op,
                        field,
                        problem: first?.message ?? "invalid",
                      }),
                      field,
                    }
                  : said("upstreamValueRefused", { op, problem: first?.message ?? "invalid" }),
              ),
            );
          },
          end: call.end,
          cancel: call.cancel,
          result,
        } satisfies TUpstreamCall<unknown, unknown>;
      };
    }
  }
  return {
    ...families,
    calls: () => ({ ...counts }),
    close: () => connection.close(),
  } as unknown as THelper<C>;
};

/** A value from the helper, parsed by its schema: a mismatch is the helper's bug, said as such. */
const checked = (op: string, what: "a result" | "an item", schema: z.ZodType, value: unknown) => {
  // A binary frame's chunk is already what the bytes() codec decodes to (bounded by the frame decoder).
  if (what === "an item" && isBinarySchema(schema) && isChunk(value)) return value;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  log.error("the helper answered outside its contract", {
    op,
    what,
    issues: parsed.error.issues.slice(0, 3),
  });
  throw new AppError(
    "INTERNAL",
    said(what === "an item" ? "helperItemOutsideContract" : "helperResultOutsideContract", { op }),
  );
};
