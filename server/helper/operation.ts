import { z } from "zod";
import type { TContract, TImplementation, TOp, TTicketNeed } from "./contract/define";
import { wireName } from "./contract/define";

/**
 * One operation as the socket server runs it: the schema its input must pass (in the helper, whatever the web tier
 * checked before), what it does, and how long it may take. A streaming operation emits items (progress lines,
 * events) before its result; `emit` waits while the client has not consumed enough of them (back-pressure), and
 * `signal` aborts when the client cancels the call, goes away, or the timeout passes. An operation that declares an
 * upstream takes the values the client sends while it runs from `upstream` (see THandlerContext).
 *
 * The table is built from the contract (./contract) and the helper's implementation of it (`implement`), for the
 * helper and for the protocol's tests alike.
 *
 * An operation never runs a program or touches a path its caller names freely: inputs are names, addresses and
 * values of fixed shapes, and the operation decides what runs on them.
 */
export type TOperationContext = {
  signal: AbortSignal;
  emit: (data: unknown) => Promise<void>;
};

/** What the server hands an operation: the context its commands take, and what the client sends up. */
export type TOperationRunContext = TOperationContext & { upstream: AsyncIterable<unknown> };

export type TOperation<TSchema extends z.ZodType = z.ZodType, TOutput = unknown> = {
  input: TSchema;
  /** Milliseconds before the helper aborts it and answers TIMEOUT; null: until it ends or is cancelled. */
  timeoutMs?: number | null;
  /** Encodes each emitted item for the wire (a contract's item schema); without it, items go as they are. */
  item?: z.ZodType | null;
  /** Decodes each value the client sends up; without it, sending up to the operation breaks the protocol. */
  upstream?: z.ZodType | null;
  /** "always": the server refuses a call without a ticket before the handler runs (which checks the ticket itself). */
  ticket?: TTicketNeed;
  // A method (bivariant in its parameter), so that a table can hold operations of every input type.
  run(input: z.output<TSchema>, context: TOperationRunContext): Promise<TOutput>;
};

export type TOperationTable = Record<string, TOperation>;

/** The socket server's table for a contract and its implementation: `family.name` → schema, handler, timeout. */
export const implement = <C extends TContract>(
  contract: C,
  implementation: TImplementation<C>,
): TOperationTable => {
  const table: TOperationTable = {};
  for (const [family, operations] of Object.entries(contract)) {
    const handlers = implementation[family] as Record<string, TOperation["run"]>;
    for (const [name, declared] of Object.entries(operations) as [string, TOp][]) {
      const run = handlers[name];
      if (!run) throw new Error(`the helper does not implement ${wireName(family, name)}`);
      // An operation that needs a ticket takes one by name: the server's check below and the handler's agree.
      if (
        declared.ticket !== "never" &&
        !(declared.input instanceof z.ZodObject && "ticket" in declared.input.shape)
      )
        throw new Error(`${wireName(family, name)} needs a ticket but its input has no ticket field`);
      table[wireName(family, name)] = {
        ticket: declared.ticket,
        input: declared.input,
        timeoutMs: declared.timeoutMs,
        item: declared.item,
        upstream: declared.upstream,
        run,
      };
    }
  }
  return table;
};
