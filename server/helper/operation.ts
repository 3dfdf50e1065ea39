import type { z } from "zod";

/**
 * One typed operation of the helper: the schema its input must pass (in the helper, whatever the web tier checked
 * before), and what it does. A streaming operation emits items (progress lines, events) before its result; `emit`
 * waits while the client has not consumed enough of them (back-pressure), and `signal` aborts when the client
 * cancels the call or goes away. Operations are named by their key in the table (`lxc.start`).
 *
 * An operation never runs a program or touches a path its caller names freely: inputs are names, addresses and
 * values of fixed shapes, and the operation decides what runs on them.
 */
export type TOperationContext = {
  signal: AbortSignal;
  emit: (data: unknown) => Promise<void>;
};

export type TOperation<TSchema extends z.ZodType = z.ZodType, TOutput = unknown> = {
  input: TSchema;
  // A method (bivariant in its parameter), so that a table can hold operations of every input type.
  run(input: z.output<TSchema>, context: TOperationContext): Promise<TOutput>;
};

export const defineOperation = <TSchema extends z.ZodType, TOutput>(
  operation: TOperation<TSchema, TOutput>,
) => operation;

export type TOperationTable = Record<string, TOperation>;

export type TInputOf<T> = T extends TOperation<infer S, unknown> ? z.input<S> : never;
export type TOutputOf<T> = T extends TOperation<z.ZodType, infer O> ? O : never;
