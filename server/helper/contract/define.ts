import { z } from "zod";

/**
 * How a helper operation is declared: the whole of what the web tier and the helper agree on, and nothing of how
 * the helper does it. This folder is pure (zod and the schemas folder only): the web tier imports it to call, the
 * helper to implement, and neither reaches the other's code through it.
 *
 * - `input`: what the helper parses before running the operation (whatever the web tier checked before).
 * - `output`: what the operation returns; the client parses it, so a helper that answers otherwise fails loudly.
 * - `item`: for a streaming operation, each item it emits before its result (progress, lines, events, `bytes()`);
 *   the helper encodes each with the schema and the client decodes (parses) it. `null` for a plain call.
 * - `upstream`: for an operation that takes values while it runs (a console's keystrokes and resizes, an upload's
 *   chunks), what each value is; the client encodes each with the schema and the helper decodes (parses) it. `null`
 *   (the default) for an operation that takes nothing after its input. Item and upstream schemas are encoded as well
 *   as parsed, so they are plain schemas or codecs such as `bytes()`, never one-way transforms.
 * - `ticket`: whether an admin's ticket must come with the input: "never", "always" (refused without one), or
 *   "when" (only for some inputs: `ticketWhen` says which, in words).
 * - `timeoutMs`: how long the helper lets the operation run before it aborts it (its processes are killed) and
 *   answers TIMEOUT; `null` only for streams that run until cancelled (the monitor) and jobs bounded by their own
 *   commands' limits. The client gives up a little later, should the helper itself hang.
 */
export type TTicketNeed = "never" | "always" | "when";

export type TOp<
  TInput extends z.ZodType = z.ZodType,
  TOutput extends z.ZodType = z.ZodType,
  TItem extends z.ZodType | null = z.ZodType | null,
  TUpstream extends z.ZodType | null = z.ZodType | null,
> = {
  readonly input: TInput;
  readonly output: TOutput;
  readonly item: TItem;
  readonly upstream: TUpstream;
  readonly ticket: TTicketNeed;
  readonly ticketWhen?: string;
  readonly timeoutMs: number | null;
  /** One line for the table of operations in docs/architecture.md. */
  readonly summary: string;
};

export const op = <
  TInput extends z.ZodType,
  TOutput extends z.ZodType,
  TItem extends z.ZodType | null = null,
  TUpstream extends z.ZodType | null = null,
>(definition: {
  input: TInput;
  output: TOutput;
  item?: TItem;
  upstream?: TUpstream;
  ticket?: TTicketNeed;
  ticketWhen?: string;
  timeoutMs: number | null;
  summary: string;
}): TOp<TInput, TOutput, TItem, TUpstream> => ({
  ...definition,
  item: (definition.item ?? null) as TItem,
  upstream: (definition.upstream ?? null) as TUpstream,
  ticket: definition.ticket ?? "never",
});

/** Operation families (`lxc`, `jobs`, `config`…), each a record of operations; the wire name is `family.name`. */
export type TContract = Record<string, Record<string, TOp>>;

export const wireName = (family: string, name: string) => `${family}.${name}`;

/** Bytes on the wire: a chunk of a stream is at most this (64 KiB), so a protocol line stays far below its limit. */
export const MAX_CHUNK_BYTES = 64 * 1024;

/** The bytes() codecs: an item or upstream schema that is one of them travels as a binary frame (protocol.ts). */
const BINARY_SCHEMAS = new WeakSet<z.ZodType>();

/** Whether values of this item or upstream schema are whole chunks of bytes, sent as binary frames. */
export const isBinarySchema = (schema: z.ZodType | null) => schema !== null && BINARY_SCHEMAS.has(schema);

/** A chunk as it comes off a binary frame, checked as the codec would check it (a Buffer of at most MAX_CHUNK_BYTES). */
export const isChunk = (value: unknown): value is Buffer =>
  Buffer.isBuffer(value) && value.length <= MAX_CHUNK_BYTES;

/**
 * A chunk of bytes in an item or an upstream value: a Buffer on either side, at most MAX_CHUNK_BYTES. When the item
 * or upstream schema is this codec itself (a file's body, a terminal's output, an upload's chunks), each chunk
 * crosses the socket as a binary frame (protocol.ts): its raw bytes after a header line, no base64, no JSON. Inside
 * a larger value (an exec's `{ stream, bytes }`), it is base64 text. A chunk that is not base64 or is larger is
 * refused: by the client before it is sent, by the helper (the call ends with BAD_REQUEST) should a peer send it
 * anyway.
 */
export const bytes = () => {
  const codec = z.codec(
    z
      .base64("not base64")
      .max(Math.ceil(MAX_CHUNK_BYTES / 3) * 4, `a chunk is at most ${MAX_CHUNK_BYTES / 1024} KiB`),
    // Checked after decoding too: base64's length bounds the bytes only to a multiple of three.
    z
      .custom<Buffer>((value) => Buffer.isBuffer(value), "not a Buffer")
      .refine(
        (buffer) => buffer.length <= MAX_CHUNK_BYTES,
        `a chunk is at most ${MAX_CHUNK_BYTES / 1024} KiB`,
      ),
    {
      decode: (text) => Buffer.from(text, "base64"),
      encode: (buffer) => buffer.toString("base64"),
    },
  );
  BINARY_SCHEMAS.add(codec);
  return codec;
};

/** What the helper's implementation of one operation receives besides its input. */
export type THandlerContext<TItem, TUp = never> = {
  /** Aborted when the client cancels the call, goes away, or the operation's timeout passes. */
  signal: AbortSignal;
  /**
   * Sends one item (encoded with the item schema: a `bytes()` item takes a Buffer); waits while the client has not
   * consumed enough of the earlier ones (back-pressure).
   */
  emit: (item: TItem) => Promise<void>;
  /**
   * What the client sends up while the call runs, decoded, in order. It ends at the client's `end`, or at once
   * when the call is cancelled, its connection goes away or its timeout passes (then `signal` is aborted too).
   * Taking a value is what lets the client send another: an operation that does not iterate holds its writer
   * back. Empty for an operation that declares no upstream.
   */
  upstream: AsyncIterable<TUp>;
};

export type TItemOf<T extends TOp> = T["item"] extends z.ZodType ? z.output<T["item"]> : never;
export type TUpstreamOf<T extends TOp> = T["upstream"] extends z.ZodType ? z.output<T["upstream"]> : never;

export type THandler<T extends TOp> = (
  input: z.output<T["input"]>,
  context: THandlerContext<TItemOf<T>, TUpstreamOf<T>>,
) => Promise<z.input<T["output"]>>;

/**
 * The helper's implementation of a contract: one handler per operation, no more, no less (`satisfies
 * THandlers<typeof family>` makes the compiler check it).
 */
export type THandlers<C extends Record<string, TOp>> = { [K in keyof C]: THandler<C[K]> };
export type TImplementation<C extends TContract> = { [F in keyof C]: THandlers<C[F]> };
