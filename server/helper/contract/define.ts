import type { z } from "zod";

/**
 * How a helper operation is declared: the whole of what the web tier and the helper agree on, and nothing of how
 * the helper does it. This folder is pure (zod and the schemas folder only): the web tier imports it to call, the
 * helper to implement, and neither reaches the other's code through it.
 *
 * - `input`: what the helper parses before running the operation (whatever the web tier checked before).
 * - `output`: what the operation returns; the client parses it, so a helper that answers otherwise fails loudly.
 * - `item`: for a streaming operation, each item it emits before its result (progress, lines, events); the client
 *   parses every item. `null` for a plain call.
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
> = {
  readonly input: TInput;
  readonly output: TOutput;
  readonly item: TItem;
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
>(definition: {
  input: TInput;
  output: TOutput;
  item?: TItem;
  ticket?: TTicketNeed;
  ticketWhen?: string;
  timeoutMs: number | null;
  summary: string;
}): TOp<TInput, TOutput, TItem> => ({
  ...definition,
  item: (definition.item ?? null) as TItem,
  ticket: definition.ticket ?? "never",
});

/** Operation families (`lxc`, `jobs`, `config`…), each a record of operations; the wire name is `family.name`. */
export type TContract = Record<string, Record<string, TOp>>;

export const wireName = (family: string, name: string) => `${family}.${name}`;

/** What the helper's implementation of one operation receives besides its input. */
export type THandlerContext<TItem> = {
  /** Aborted when the client cancels the call, goes away, or the operation's timeout passes. */
  signal: AbortSignal;
  /** Sends one item; waits while the client has not consumed enough of the earlier ones (back-pressure). */
  emit: (item: TItem) => Promise<void>;
};

export type TItemOf<T extends TOp> = T["item"] extends z.ZodType ? z.input<T["item"]> : never;

export type THandler<T extends TOp> = (
  input: z.output<T["input"]>,
  context: THandlerContext<TItemOf<T>>,
) => Promise<z.input<T["output"]>>;

/**
 * The helper's implementation of a contract: one handler per operation, no more, no less (`satisfies
 * THandlers<typeof family>` makes the compiler check it).
 */
export type THandlers<C extends Record<string, TOp>> = { [K in keyof C]: THandler<C[K]> };
export type TImplementation<C extends TContract> = { [F in keyof C]: THandlers<C[F]> };
