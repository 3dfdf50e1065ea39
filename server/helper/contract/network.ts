import { z } from "zod";
import { phrase, type TPhrase, type TWords } from "../../i18n/english";
import { ZHostNetwork } from "../../schemas/host-network";
import { ZInterfaceName } from "../../schemas/network";
import { ZNetworkChange } from "../../schemas/network-change";
import { op } from "./define";
import { ZWireParams } from "./protocol";
import { ZOptionalTicket } from "./ticket";

/**
 * The host's network, owned by the helper (server/helper/operations/network.ts): read from iproute2; changed by
 * plans the helper computes itself from typed changes (the web tier's plan is only shown; its digest must match),
 * with a journal and a rollback timer of its own for a change that waits for confirmation; and the managed bridges
 * written to the host's own network configuration. Changing the host's network and its files is an admin's act.
 */
const SECOND = 1000;
export const MAX_ROLLBACK_SECONDS = 3600;

const ZId = z.string().uuid();
const ZNames = z.array(z.string());

/** One command a change ran (or its undo), with what it printed. */
export const ZNetworkLogLine = z.object({
  argv: z.array(z.string()),
  ok: z.boolean(),
  output: z.string(),
  undo: z.boolean(),
});
export type TNetworkLogLine = z.infer<typeof ZNetworkLogLine>;

const ZLineItem = ZNetworkLogLine.extend({ kind: z.literal("line") });
/** A stream of a change's progress: each step as it starts, each command's line as it returns. */
export const ZNetworkApplyItem = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("step"), index: z.number().int().nonnegative() }),
  ZLineItem,
]);
export type TNetworkApplyItem = z.infer<typeof ZNetworkApplyItem>;

/**
 * A sentence's words beside its English (server/i18n/english.ts): its id in the catalogues and its values, as far
 * as the socket carries them (values too long leave the English alone).
 */
export const ZWireWords = z.object({ id: z.string().max(128), params: ZWireParams });
/** Words the socket carries, or none. */
export const onWire = (words: TWords | null | undefined): TWords | null =>
  words && ZWireWords.safeParse(words).success ? words : null;

/** Why a change is rolled back: the reason of network.server.change.rolledBack, and its value. */
export type TRollbackReason =
  | { reason: "timeout"; seconds: number }
  | { reason: "actor"; actor: string }
  | { reason: "webTier" | "startUp" | "stopped" };

/**
 * A rolled-back change's outcome, said the same on both sides of the socket: why, and the undo commands that failed
 * (or the error that stopped the rollback).
 */
export const rolledBack = (
  why: TRollbackReason,
  end: { failures?: string[]; stoppedBy?: string } = {},
): TPhrase =>
  phrase("change.rolledBack", {
    ...why,
    then: end.stoppedBy !== undefined ? "stopped" : (end.failures ?? []).length > 0 ? "undoFailed" : "none",
    failures: (end.failures ?? []).join("; "),
    error: end.stoppedBy ?? "",
  });

/** The bridges a plan gives Atelier to manage, and those it deletes (the web tier records and persists them). */
const ZClaims = z.object({ claimed: ZNames, released: ZNames });

const ZApplied = { plan: ZClaims, done: z.number().int().nonnegative() };
export const ZNetworkApplyResult = z.discriminatedUnion("state", [
  z.object({
    state: z.literal("failed"),
    message: z.string(),
    /** The message's sentence in the error catalogue and its values (server/errors.ts, said). */
    id: z.string().max(64).optional(),
    params: ZWireParams.optional(),
    stderr: z.string(),
    rollbackAt: z.null(),
    ...ZApplied,
  }),
  z.object({
    state: z.literal("applied"),
    message: z.null(),
    stderr: z.null(),
    rollbackAt: z.null(),
    ...ZApplied,
  }),
  /** Waiting for confirmation until rollbackAt (ISO): then undone. */
  z.object({
    state: z.literal("pending"),
    message: z.null(),
    stderr: z.null(),
    rollbackAt: z.string(),
    ...ZApplied,
  }),
]);

export const ZNetworkOutcome = z.enum(["applied", "confirmed", "rolled-back", "failed"]);
export type TNetworkOutcome = z.infer<typeof ZNetworkOutcome>;

/** What became of a change: in flight, waiting (with its timer), how it ended, or unknown to this helper. */
export const ZNetworkChangeStatus = z.object({
  state: z.union([z.enum(["applying", "pending", "unknown"]), ZNetworkOutcome]),
  rollbackAt: z.string().nullable(),
  rollbackSeconds: z.number().int().nullable(),
  message: z.string().nullable(),
  /** The message's words, when the socket carries them. */
  words: ZWireWords.nullable().optional(),
  log: z.array(ZNetworkLogLine),
  ...ZClaims.shape,
});

export const ZPersistSystem = z.enum(["ifupdown", "networkd", "none"]);

export const networkContract = {
  read: op({
    input: z.object({}).strict(),
    output: ZHostNetwork,
    // Four `ip -j` reads side by side, 10 s each at most.
    timeoutMs: 30 * SECOND,
    summary: "The host's interfaces, bridges and routes (iproute2's JSON, four reads)",
  }),
  apply: op({
    input: z
      .object({
        id: ZId,
        changes: z.array(ZNetworkChange).min(1).max(100),
        digest: z.string().regex(/^[0-9a-f]{64}$/),
        sessionInterface: ZInterfaceName.nullable(),
        rollbackSeconds: z.number().int().min(1).max(MAX_ROLLBACK_SECONDS).nullable(),
        ticket: ZOptionalTicket,
      })
      .strict(),
    output: ZNetworkApplyResult,
    item: ZNetworkApplyItem,
    ticket: "always",
    // No timeout of the call's: stopping a plan between its steps would leave the host half changed with its undo
    // not run. It is bounded by its steps: up to 100 changes and, on a failure, their undo, each an `ip` command of
    // 10 s at most (a few ms in practice). The change's own wait for confirmation is not part of the call.
    timeoutMs: null,
    summary:
      "Plans the changes against the host as it is now and runs the plan if its digest is the one shown; a change that touches the session's interface (or asked to) waits for confirmation",
  }),
  confirm: op({
    input: z.object({ id: ZId }).strict(),
    output: z.object({ state: z.literal("confirmed"), ...ZClaims.shape }),
    // Confirming or rolling back a change an admin applied needs no ticket of its own.
    timeoutMs: 15 * SECOND,
    summary: "Keeps a change waiting for confirmation (its rollback timer stops)",
  }),
  rollback: op({
    input: z.object({ id: ZId }).strict(),
    output: z.discriminatedUnion("byHelper", [
      z.object({ state: z.literal("rolled-back"), failures: ZNames, byHelper: z.literal(false) }),
      /** Undone already by the helper's own timer: its message and lines are in its record. */
      z.object({
        state: z.literal("rolled-back"),
        failures: ZNames,
        byHelper: z.literal(true),
        message: z.string().nullable(),
        words: ZWireWords.nullable().optional(),
        log: z.array(ZNetworkLogLine),
      }),
    ]),
    item: ZLineItem,
    // No timeout of the call's (a rollback stopped halfway is worse than a slow one): bounded by the undo commands
    // of every step, 10 s each at most.
    timeoutMs: null,
    summary: "Undoes a change waiting for confirmation now (or says the helper's timer undid it)",
  }),
  status: op({
    input: z.object({ id: ZId }).strict(),
    output: ZNetworkChangeStatus,
    timeoutMs: 5 * SECOND,
    summary: "What became of a change: waiting, or how it ended (for the web tier after a restart)",
  }),
  persist: op({
    input: z
      .object({
        managed: z.array(ZInterfaceName).max(1000),
        containerPorts: z.array(ZInterfaceName).max(100_000),
        ticket: ZOptionalTicket,
      })
      .strict(),
    output: z.object({ system: ZPersistSystem, files: ZNames }),
    ticket: "always",
    // A network read (10 s at most) and a few small files written.
    timeoutMs: 60 * SECOND,
    summary:
      "Writes the managed bridges, as they are live, to the host's network configuration (Atelier's own files only)",
  }),
};
