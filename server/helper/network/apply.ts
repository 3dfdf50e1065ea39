import type { z } from "zod";
import { AppError, said, selectKey } from "../../errors";
import { planChanges } from "../../host-network/plan";
import { errorPhrase, type TPhrase } from "../../i18n/english";
import type { TLogger } from "../../log";
import {
  onWire,
  rolledBack,
  type networkContract,
  type TNetworkLogLine,
  type TNetworkOutcome,
  type TRollbackReason,
} from "../contract/network";
import { ZWireParams } from "../contract/protocol";
import { runPlanStep } from "../run/ip";
import { createNetworkJournal, type TActiveChange } from "./journal";
import { readHostNetwork } from "./read";
import { createRollbackTimer } from "./rollback-timer";

/**
 * Host network changes, owned by the helper: it computes the plan itself from the typed changes (the web tier's
 * plan is only shown to the browser; its digest must match), runs the steps, and keeps a change that waits for
 * confirmation in its journal (./journal.ts) with a rollback timer of its own (./rollback-timer.ts). So a pending
 * change is undone even when the web tier dies, and a change in flight when the helper itself stops is undone when
 * it starts again. The web tier keeps the history (database rows, the Network page); the helper keeps the truth.
 * One change at a time.
 */
const DEFAULT_ROLLBACK_SECONDS = 60;

type TApplyInput = z.output<(typeof networkContract)["apply"]["input"]>;
type TEmitLine = (line: TNetworkLogLine) => Promise<void>;
type TApplyItem = { kind: "step"; index: number } | ({ kind: "line" } & TNetworkLogLine);

export const createNetworkChanges = ({ stateDir, log }: { stateDir: string; log?: TLogger | undefined }) => {
  const journal = createNetworkJournal(stateDir);
  const timer = createRollbackTimer();
  let busy = false;

  const finish = (
    entry: TActiveChange,
    state: TNetworkOutcome,
    outcome: TPhrase | null,
    failures: string[] = [],
  ) => {
    timer.disarm();
    return journal.finish(entry, state, outcome, failures);
  };

  /**
   * Undoes the first `done` steps, last first, past failures; says which undo commands failed. Never throws: a
   * command that could not run and a caller that stopped listening are failures of that command, and the undos
   * after it still run.
   */
  const undo = async (entry: TActiveChange, emit?: TEmitLine) => {
    const failures: string[] = [];
    // A step written ahead but not logged was in flight: its undo may fail for what it never did.
    const unsure = entry.done > entry.logged ? entry.done - 1 : null;
    for (const [index, step] of [...entry.steps.slice(0, entry.done).entries()].toReversed()) {
      for (const command of step.undo) {
        const result = await runPlanStep(command.argv).catch((error: unknown) => ({
          ok: false,
          output: error instanceof Error ? error.message : String(error),
        }));
        const line = { argv: command.argv, ...result, undo: true };
        journal.note(entry.id, line);
        await emit?.(line).catch((error: unknown) =>
          log?.warn("an undo command's line could not be sent", { error, applyId: entry.id }),
        );
        if (!result.ok && index !== unsure) failures.push(`${command.argv.join(" ")}: ${result.output}`);
      }
    }
    return failures;
  };

  const rollBack = async (entry: TActiveChange, why: TRollbackReason, emit?: TEmitLine) => {
    const failures = await undo(entry, emit);
    return finish(entry, "rolled-back", rolledBack(why, { failures }), failures);
  };

  /**
   * A rollback that nobody waits on (at the helper's start or stop): it never throws. One that breaks midway is
   * recorded as failed, so that the journal holds no change in flight and the next apply is not refused for it.
   */
  const settle = async (entry: TActiveChange, why: TRollbackReason) => {
    try {
      await rollBack(entry, why);
    } catch (error) {
      log?.error("rolling back a network change failed", { error, applyId: entry.id });
      const outcome = rolledBack(why, {
        stoppedBy: error instanceof Error ? error.message : String(error),
      });
      await finish(entry, "failed", outcome, [outcome.text]).catch((cause: unknown) =>
        log?.error("the network journal could not be written", { error: cause, applyId: entry.id }),
      );
    }
  };

  const arm = (entry: TActiveChange) => {
    if (!entry.rollbackAt) return;
    timer.arm(entry.rollbackAt, () => {
      if (journal.active()?.id !== entry.id || busy) return;
      busy = true;
      const seconds = Math.round((new Date(entry.rollbackAt ?? 0).getTime() - entry.appliedAt) / 1000);
      void settle(entry, { reason: "timeout", seconds })
        .then(() => log?.warn("unconfirmed network change rolled back", { applyId: entry.id }))
        .finally(() => (busy = false));
    });
  };

  const refuseNotPending = (id: string): never => {
    const outcome = journal.outcomeOf(id);
    if (!outcome) throw new AppError("NOT_FOUND", said("helperNetworkChangeNotFound", { id }));
    throw new AppError(
      "PRECONDITION_FAILED",
      outcome.message
        ? said("networkChangeNotPendingWhy", { state: selectKey(outcome.state), reason: outcome.message })
        : said("networkChangeNotPending", { state: selectKey(outcome.state) }),
    );
  };

  /**
   * Plans the changes against the host as it is now, and runs the plan if its digest is the one shown. Streams
   * each step as it starts and each command as it returns. A change that touches the session's interface (or asked
   * to) waits for confirmation: rolled back by `rollback`, or by the helper's own timer a little after rollbackAt.
   */
  const apply = async (input: TApplyInput, emit: (item: TApplyItem) => Promise<void>) => {
    const active = journal.active();
    if (busy || active)
      throw new AppError(
        "CONFLICT",
        said(active?.state === "pending" ? "networkChangePending" : "networkChangeApplying"),
      );
    if (journal.outcomeOf(input.id))
      throw new AppError("CONFLICT", said("networkChangeAlreadyRan", { id: input.id }));
    busy = true;
    try {
      const plan = planChanges(input.changes, await readHostNetwork(), input.sessionInterface);
      if (plan.digest !== input.digest)
        throw new AppError("CONFLICT", { ...said("networkChangedSincePlan"), field: "digest" });
      const rollbackSeconds =
        input.rollbackSeconds ?? (plan.touchesSession ? DEFAULT_ROLLBACK_SECONDS : null);
      const claims = { claimed: plan.claimed, released: plan.released };
      const entry: TActiveChange = {
        id: input.id,
        steps: plan.steps,
        done: 0,
        logged: 0,
        state: "applying",
        rollbackAt: null,
        appliedAt: 0,
        ...claims,
      };
      journal.begin(entry);
      const emitLine = (line: TNetworkLogLine) => emit({ kind: "line", ...line });
      for (const [index, step] of plan.steps.entries()) {
        entry.done = index + 1;
        await journal.save();
        await emit({ kind: "step", index });
        const result = await runPlanStep(step.argv);
        entry.logged = index + 1;
        const line = { argv: step.argv, ...result, undo: false };
        journal.note(entry.id, line);
        await emitLine(line);
        if (!result.ok) {
          entry.done = index;
          entry.logged = index;
          const failures = await undo(entry, emitLine);
          const failed = {
            step: index + 1,
            command: step.argv.join(" "),
            silent: result.output ? "no" : "yes",
            output: result.output,
          };
          const { id, params, message } =
            index === 0
              ? said("networkStepFailedNothingChanged", failed)
              : failures.length === 0
                ? said("networkStepFailedUndone", { ...failed, count: index })
                : said("networkStepFailedUndoFailed", { ...failed, failures: failures.join("; ") });
          await finish(entry, "failed", errorPhrase({ id, params, message }));
          return {
            state: "failed" as const,
            message,
            // Its sentence, for the pages to word (values too long for the socket leave the English alone).
            ...(ZWireParams.safeParse(params).success ? { id, params } : {}),
            stderr: result.output,
            rollbackAt: null,
            plan: claims,
            done: index,
          };
        }
      }
      if (rollbackSeconds === null) {
        await finish(entry, "applied", null);
        return {
          state: "applied" as const,
          message: null,
          stderr: null,
          rollbackAt: null,
          plan: claims,
          done: plan.steps.length,
        };
      }
      entry.state = "pending";
      entry.appliedAt = Date.now();
      const rollbackAt = new Date(Date.now() + rollbackSeconds * 1000).toISOString();
      entry.rollbackAt = rollbackAt;
      await journal.save();
      arm(entry);
      return {
        state: "pending" as const,
        message: null,
        stderr: null,
        rollbackAt,
        plan: claims,
        done: plan.steps.length,
      };
    } finally {
      busy = false;
    }
  };

  /** The browser reached Atelier after the change: keep it (the timer stops). */
  const confirm = async (id: string) => {
    const entry = journal.active();
    if (!entry || entry.id !== id || entry.state !== "pending" || busy) return refuseNotPending(id);
    await finish(entry, "confirmed", null);
    return { state: "confirmed" as const, claimed: entry.claimed, released: entry.released };
  };

  /** Undoes a pending change now; a change the helper's timer already undid answers with that outcome. */
  const rollback = async (id: string, emit: TEmitLine) => {
    const entry = journal.active();
    if (entry?.id === id && entry.state === "pending" && !busy) {
      busy = true;
      try {
        const record = await rollBack(entry, { reason: "webTier" }, emit);
        return { state: "rolled-back" as const, failures: record.failures, byHelper: false as const };
      } finally {
        busy = false;
      }
    }
    const outcome = journal.outcomeOf(id);
    if (outcome?.state === "rolled-back")
      return {
        state: "rolled-back" as const,
        failures: outcome.failures,
        byHelper: true as const,
        message: outcome.message,
        words: onWire(outcome.words),
        log: outcome.log,
      };
    return refuseNotPending(id);
  };

  /** What became of a change: waiting (with its timer), how it ended, or unknown to this helper. */
  const status = (id: string) => {
    const entry = journal.active();
    if (entry?.id === id)
      return {
        state: entry.state,
        rollbackAt: entry.rollbackAt,
        rollbackSeconds: entry.rollbackAt
          ? Math.round((new Date(entry.rollbackAt).getTime() - entry.appliedAt) / 1000)
          : null,
        message: null,
        log: journal.linesOf(id),
        claimed: entry.claimed,
        released: entry.released,
      };
    const outcome = journal.outcomeOf(id);
    return {
      state: outcome?.state ?? ("unknown" as const),
      rollbackAt: null,
      rollbackSeconds: null,
      message: outcome?.message ?? null,
      words: onWire(outcome?.words),
      log: outcome?.log ?? [],
      claimed: [],
      released: [],
    };
  };

  /**
   * At the helper's start: a change a previous helper left applying or pending is undone (that helper died or was
   * stopped; nobody can say a browser still reaches the host). A web tier that died alone leaves the helper, and
   * its timer, running: its successor finds the change still pending.
   */
  const recover = async () => {
    const entry = await journal.load().catch((error: unknown) => {
      // A helper that cannot start serves nobody: the next change's journal replaces this one.
      log?.error("the network journal could not be read; nothing was rolled back", { error });
      return null;
    });
    if (!entry) return;
    await settle(entry, { reason: "startUp" });
    log?.warn("unconfirmed network change rolled back at start-up", { applyId: entry.id });
  };

  /** At the helper's stop: nobody can confirm a pending change any more; it is undone now. */
  const close = async () => {
    const entry = journal.active();
    if (entry?.state === "pending" && !busy) await settle(entry, { reason: "stopped" });
  };

  return { apply, confirm, rollback, status, recover, close };
};
