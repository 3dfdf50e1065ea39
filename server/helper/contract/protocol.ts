import { z } from "zod";
import {
  AppError,
  isErrorId,
  said,
  type TAppErrorCode,
  type TErrorId,
  type TErrorParams,
  type TLineProblem,
} from "../../errors";

/**
 * The helper protocol: how the web tier asks the root helper for a privileged operation, over a unix socket.
 *
 * One JSON message per line (UTF-8, at most MAX_LINE_BYTES). The client opens with `hello` naming the protocol
 * version; the helper answers `hello` with its version and the names of its operations, or `refused` and closes.
 * Then any number of calls run at once, each with an id of the client's choosing:
 *
 *   client → helper   call {id, op, input}      start an operation (its input is validated again by the helper)
 *                     cancel {id}               stop it: its processes are killed, it ends with a CANCELLED error
 *                     credit {id, n}            the client has consumed n more items of the call's stream
 *                     send {id, data}           one value up into a running call, for an operation that declares
 *                                               an upstream (a console's keystrokes and resizes, an upload's chunk)
 *                     end {id}                  nothing more goes up (the end of an upload's body): the
 *                                               operation's upstream ends once it has taken what came before
 *   helper → client   item {id, data}           one item of a streaming operation (a progress line, an event, bytes)
 *                     credit {id, n}            the operation has taken n more of the values sent up
 *                     result {id, data}         the operation's end, with its value
 *                     error {id, error}         the operation's end, failed (an AppError, code kept)
 *
 * Back-pressure, both ways, by the same window: a call may have at most WINDOW items sent and not yet credited; a
 * streaming operation that emits more waits (and, for a process, stops reading its output) until the client
 * credits them. Up, the client may send at most WINDOW values the operation has not yet taken (credited back by
 * the helper), so a console that does not read or a slow disk slows the client's writer down instead of piling
 * chunks up in the helper. The socket's own buffering is respected as well: either side waits for `drain`.
 *
 * Values going either way are encoded by their sender with the operation's schema (contract/define.ts) and decoded
 * by the receiver with it. A large body crosses as a stream of chunks of at most MAX_CHUNK_BYTES, never whole. When
 * an operation's item or upstream schema is the contract's `bytes()` itself (a file's body, a terminal's output, an
 * upload), each chunk is a BINARY FRAME: the message line carries `bin: N` instead of `data` (`item {id, bin}`,
 * `send {id, bin}`) and exactly N raw bytes follow its newline, N at most MAX_CHUNK_BYTES (no base64, no JSON: a
 * gigabyte crosses at the socket's speed). A `bin` on any other message, on an operation whose schema is not
 * `bytes()`, or past MAX_CHUNK_BYTES breaks the protocol.
 *
 * Breaking the protocol closes the connection with a HELPER_PROTOCOL error and aborts all its calls: an unknown
 * message, a call id already running, sending up to an operation that declares no upstream, past its credit, or
 * after its end. A `send` or `end` for a call that has just ended is ignored (it crossed the answer). A value the
 * operation's upstream schema refuses (not base64, a chunk too large) ends only that call, with BAD_REQUEST.
 */
export const PROTOCOL_VERSION = 3;
export const MAX_LINE_BYTES = 1024 * 1024;
/** Items (or values sent up) a call may have in flight before their sender waits for credit. */
export const WINDOW = 64;
export { MAX_CHUNK_BYTES } from "./define";
import { MAX_CHUNK_BYTES } from "./define";

const ZId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const ZClientMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("hello"), version: z.number().int() }).strict(),
  z.object({ type: z.literal("call"), id: ZId, op: z.string().max(100), input: z.unknown() }).strict(),
  z.object({ type: z.literal("cancel"), id: ZId }).strict(),
  z.object({ type: z.literal("credit"), id: ZId, n: z.number().int().positive().max(WINDOW) }).strict(),
  // `data` is checked by the operation's upstream schema, as a call's input is by its input schema; `bin`: a binary
  // frame's length (its bytes follow the line, taken by the FrameDecoder).
  z
    .object({
      type: z.literal("send"),
      id: ZId,
      data: z.unknown().optional(),
      bin: z.number().int().nonnegative().max(MAX_CHUNK_BYTES).optional(),
    })
    .strict()
    .refine(
      (message) => (message.bin === undefined) !== (message.data === undefined),
      "data or bin, not both",
    ),
  z.object({ type: z.literal("end"), id: ZId }).strict(),
]);
export type TClientMessage = z.infer<typeof ZClientMessage>;

export type TWireError = {
  code: TAppErrorCode | "CANCELLED" | "HELPER_PROTOCOL";
  message: string;
  hint?: string;
  field?: string;
  stderr?: string;
  /** The lines of a text the operation refused (a config), as the web tier shows them. */
  problems?: TLineProblem[];
  /** The catalogue's sentence and its values, so that the pages word the error in the reader's language. */
  id?: string;
  params?: TErrorParams;
};

export type THelperMessage =
  | { type: "hello"; version: number; operations: string[] }
  | { type: "refused"; message: string }
  | { type: "item"; id: number; data: unknown }
  | { type: "item"; id: number; bin: number }
  | { type: "credit"; id: number; n: number }
  | { type: "result"; id: number; data: unknown }
  | { type: "error"; id: number | null; error: TWireError };

export const encode = (message: TClientMessage | THelperMessage) => `${JSON.stringify(message)}\n`;

/** Resolves when a stream (either end's socket, a program's stdin) has room again, or is gone. */
export const drained = (stream: {
  on: (event: "drain" | "close", listener: () => void) => unknown;
  off: (event: "drain" | "close", listener: () => void) => unknown;
}) =>
  new Promise<void>((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });

/** The header line of a binary frame; its chunk's bytes are written right after it. */
export const encodeBinary = (message: { type: "item" | "send"; id: number }, chunk: Buffer) =>
  encode({ ...message, bin: chunk.length } as TClientMessage | THelperMessage);

/** Why a peer's bytes cannot be read as frames: the connection is closed with it. */
export class ProtocolBreak extends Error {}

/** One message off the socket: its line parsed as JSON, and for a binary frame the bytes that followed it. */
export type TFrame = { message: unknown; bin: Buffer | null };

/**
 * Splits a byte stream into frames: a JSON line, and when that line says `bin: N`, the N bytes after it. Refuses a
 * line longer than MAX_LINE_BYTES (a peer that never ends its line), a line that is not JSON, and a `bin` that is
 * not an integer from 0 to MAX_CHUNK_BYTES: each throws, and the connection is closed.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private length = 0;
  /** The binary frame being read: its header's message and the bytes it still needs. */
  private binary: { message: unknown; needed: number } | null = null;
  /**
   * The first chunks already searched for a newline and holding none, and their bytes: a line arriving a byte at a
   * time would otherwise have every push search all the chunks before it again (quadratic: 40,000 one-byte chunks
   * kept the helper's only thread busy 11 s, and a line may have a million).
   */
  private scannedChunks = 0;
  private scannedBytes = 0;

  push(chunk: Buffer): TFrame[] {
    this.chunks.push(chunk);
    this.length += chunk.length;
    const frames: TFrame[] = [];
    for (;;) {
      if (this.binary) {
        if (this.length < this.binary.needed) break;
        frames.push({ message: this.binary.message, bin: this.take(this.binary.needed) });
        this.binary = null;
        continue;
      }
      const newline = this.indexOfNewline();
      if (newline < 0) {
        if (this.length > MAX_LINE_BYTES) throw new ProtocolBreak("line too long");
        break;
      }
      if (newline > MAX_LINE_BYTES) throw new ProtocolBreak("line too long");
      const line = this.take(newline + 1)
        .subarray(0, newline)
        .toString("utf8");
      if (line.length === 0) continue;
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        throw new ProtocolBreak("not a protocol message");
      }
      const bin =
        typeof message === "object" && message !== null && "bin" in message ? message.bin : undefined;
      if (bin === undefined) {
        frames.push({ message, bin: null });
        continue;
      }
      if (typeof bin !== "number" || !Number.isInteger(bin) || bin < 0 || bin > MAX_CHUNK_BYTES)
        throw new ProtocolBreak(`a binary frame's length is not an integer from 0 to ${MAX_CHUNK_BYTES}`);
      this.binary = { message, needed: bin };
    }
    return frames;
  }

  private indexOfNewline() {
    for (let index = this.scannedChunks; index < this.chunks.length; index++) {
      const chunk = this.chunks[index] ?? Buffer.alloc(0);
      const at = chunk.indexOf(10);
      if (at >= 0) return this.scannedBytes + at;
      this.scannedChunks = index + 1;
      this.scannedBytes += chunk.length;
      if (this.scannedBytes > MAX_LINE_BYTES) return this.scannedBytes;
    }
    return -1;
  }

  /** The first `count` bytes held, as one Buffer (a slice when one chunk holds them all: no copy). */
  private take(count: number): Buffer {
    const first = this.chunks[0];
    let taken: Buffer;
    if (first && first.length >= count) {
      taken = first.subarray(0, count);
      if (first.length === count) this.chunks.shift();
      else this.chunks[0] = first.subarray(count);
    } else {
      const all = Buffer.concat(this.chunks, this.length);
      taken = all.subarray(0, count);
      this.chunks = count < all.length ? [all.subarray(count)] : [];
    }
    this.length -= count;
    // What is left starts after a newline or a frame's bytes: not searched yet.
    this.scannedChunks = 0;
    this.scannedBytes = 0;
    return taken;
  }
}

/** An error as it crosses the socket: AppErrors keep their code and details, anything else is INTERNAL. */
export const toWireError = (error: unknown): TWireError => {
  if (error instanceof AppError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
      ...(error.field ? { field: error.field } : {}),
      ...(error.stderr ? { stderr: error.stderr } : {}),
      ...(error.problems ? { problems: error.problems } : {}),
      ...(error.id ? { id: error.id, params: error.params ?? {} } : {}),
    };
  }
  if (error instanceof z.ZodError) {
    const [first] = error.issues;
    const field = first?.path.join(".") ?? "";
    return { code: "BAD_REQUEST", message: `${field || "input"}: ${first?.message ?? "invalid"}`, field };
  }
  return { code: "INTERNAL", ...said("helperOperationFailed") };
};

/** Back on the web tier's side: the same AppError the operation threw. */
export const fromWireError = (error: TWireError): AppError =>
  new AppError(
    error.code === "CANCELLED"
      ? "PRECONDITION_FAILED"
      : error.code === "HELPER_PROTOCOL"
        ? "INTERNAL"
        : error.code,
    {
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
      ...(error.field ? { field: error.field } : {}),
      ...(error.stderr ? { stderr: error.stderr } : {}),
      ...(Array.isArray(error.problems) ? { problems: error.problems.slice(0, 1000) } : {}),
      ...wordsOf(error),
    },
  );

/** An error's values as they cross the socket (the catalogue's sentence is worded from them on the other side). */
export const ZWireParams = z
  .record(
    z.string().max(64),
    z.union([
      // A long value (a command's output) is cut rather than refused: the sentence still reads in its language.
      z.string().transform((value) => (value.length > 4096 ? `${value.slice(0, 4095)}…` : value)),
      z.number(),
    ]),
  )
  .refine((params) => Object.keys(params).length <= 32, "at most 32 values");

/** An error's catalogue id and values as the helper sent them, when the catalogue knows the id. */
const wordsOf = (error: TWireError): { id?: TErrorId; params?: TErrorParams } => {
  const params = ZWireParams.safeParse(error.params ?? {});
  return typeof error.id === "string" && isErrorId(error.id) && params.success
    ? { id: error.id, params: params.data }
    : {};
};
