import { z } from "zod";
import { AppError, type TAppErrorCode } from "../errors";

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
 *   helper → client   item {id, data}           one item of a streaming operation (a progress line, an event)
 *                     result {id, data}         the operation's end, with its value
 *                     error {id, error}         the operation's end, failed (an AppError, code kept)
 *
 * Back-pressure: a call may have at most WINDOW items sent and not yet credited; a streaming operation that emits
 * more waits (and, for a process, stops reading its output) until the client credits them. The socket's own
 * buffering is respected as well: the helper waits for `drain` before writing on.
 *
 * Bytes (a console's pty, later) travel as base64 in an item's data; operations say what their items are.
 */
export const PROTOCOL_VERSION = 1;
export const MAX_LINE_BYTES = 1024 * 1024;
/** Items a call may have in flight before the helper waits for credit. */
export const WINDOW = 64;

const ZId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const ZClientMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("hello"), version: z.number().int() }).strict(),
  z.object({ type: z.literal("call"), id: ZId, op: z.string().max(100), input: z.unknown() }).strict(),
  z.object({ type: z.literal("cancel"), id: ZId }).strict(),
  z.object({ type: z.literal("credit"), id: ZId, n: z.number().int().positive().max(WINDOW) }).strict(),
]);
export type TClientMessage = z.infer<typeof ZClientMessage>;

export type TWireError = {
  code: TAppErrorCode | "CANCELLED" | "HELPER_PROTOCOL";
  message: string;
  hint?: string;
  field?: string;
  stderr?: string;
};

export type THelperMessage =
  | { type: "hello"; version: number; operations: string[] }
  | { type: "refused"; message: string }
  | { type: "item"; id: number; data: unknown }
  | { type: "result"; id: number; data: unknown }
  | { type: "error"; id: number | null; error: TWireError };

export const encode = (message: TClientMessage | THelperMessage) => `${JSON.stringify(message)}\n`;

/** Splits a byte stream into lines, refusing one longer than MAX_LINE_BYTES (a peer that never ends its line). */
export class LineDecoder {
  private pending = "";

  /** The complete lines in this chunk; throws when a line grows past the limit. */
  push(chunk: string): string[] {
    this.pending += chunk;
    const lines = this.pending.split("\n");
    this.pending = lines.pop() ?? "";
    if (Buffer.byteLength(this.pending) > MAX_LINE_BYTES) throw new Error("a protocol line is too long");
    return lines.filter((line) => line.length > 0);
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
    };
  }
  if (error instanceof z.ZodError) {
    const [first] = error.issues;
    const field = first?.path.join(".") ?? "";
    return { code: "BAD_REQUEST", message: `${field || "input"}: ${first?.message ?? "invalid"}`, field };
  }
  return { code: "INTERNAL", message: "The helper failed to run this operation (see its log)" };
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
    },
  );
