import { randomUUID } from "node:crypto";
import { execa } from "execa";
import type { TDb } from "../db";
import { AppError } from "../errors";
import type { EventBus } from "../events/bus";
import type { TLogger } from "../log";
import type { TCommand, TNetworkChange, TPlan, TPlanStep } from "./plan";

/**
 * Applying a plan: its steps run in order; if one fails, the steps before it are undone at once (the host is as it
 * was). A change that touches the interface or route this browser came in on, or any change when asked, waits for
 * confirmation: unless the browser confirms over the new path within the rollback time, every step is undone. Only
 * then (or at once, without a timer) are the bridges Atelier manages recorded and persisted. Each apply is a row in
 * the database, updated as steps run, so that a restart (or a crash) in the middle is undone when Atelier starts.
 * One apply at a time.
 */
export type TApplyState = "applying" | "pending" | "applied" | "confirmed" | "rolled-back" | "failed";
type TLogLine = { argv: string[]; ok: boolean; output: string; undo: boolean };

export const DEFAULT_ROLLBACK_SECONDS = 60;

export type TApplyDeps = {
  db: TDb;
  events: EventBus;
  log: TLogger;
  /** The plan for these changes against the host as it is now. */
  replan: (changes: TNetworkChange[], serverAddress: string | null) => Promise<TPlan>;
  /** Records the bridges a plan claims or releases, and writes the persisted files from the live state. */
  commit: (plan: Pick<TPlan, "claimed" | "released">) => Promise<void>;
};

const run = async (command: TCommand) => {
  // Plans only ever hold iproute2 commands; anything else is a bug, not something to run as root.
  if (command.argv[0] !== "ip") throw new Error(`refusing to run ${command.argv[0]}`);
  const result = await execa(command.argv[0], command.argv.slice(1), {
    reject: false,
    timeout: 10_000,
    stdin: "ignore",
  });
  return { ok: result.exitCode === 0, output: (result.stderr || result.stdout || "").trim().slice(0, 1000) };
};

export const createNetworkApplier = ({ db, events, log, replan, commit }: TApplyDeps) => {
  type TActive = {
    id: string;
    plan: Pick<TPlan, "claimed" | "released">;
    steps: TPlanStep[];
    timer: NodeJS.Timeout | null;
    rollbackAt: Date | null;
  };
  let busy = false;
  let active: TActive | null = null;

  const appendLog = async (id: string, lines: TLogLine[]) => {
    const row = await db.networkApply.findUnique({ where: { id }, select: { log: true } });
    const previous = row ? (JSON.parse(row.log) as TLogLine[]) : [];
    await db.networkApply.update({ where: { id }, data: { log: JSON.stringify([...previous, ...lines]) } });
  };

  /**
   * Undoes the first `done` steps, last first. Keeps going past a failed undo command, and says which failed.
   * `unsure`: a step that may not have been made (in flight when Atelier stopped); its undo failing means it was
   * not, and is only logged.
   */
  const undoSteps = async (id: string, steps: TPlanStep[], done: number, unsure: number | null = null) => {
    const failures: string[] = [];
    for (const [index, step] of [...steps.slice(0, done).entries()].toReversed()) {
      for (const command of step.undo) {
        const result = await run(command);
        await appendLog(id, [{ argv: command.argv, ...result, undo: true }]);
        if (!result.ok && index !== unsure) failures.push(`${command.argv.join(" ")}: ${result.output}`);
      }
    }
    return failures;
  };

  const publish = (actor: string, data: Record<string, unknown>) =>
    events.publish({ type: "network", actor, data });

  const audit = (actor: string, action: string, id: string, ok: boolean, error: string | null) =>
    db.auditEntry
      .create({
        data: { actor, via: "system", action, target: id, input: null, result: ok ? "ok" : "error", error },
      })
      .catch((cause: unknown) => log.error("audit entry could not be written", { error: cause }));

  const finish = async (id: string, state: TApplyState, message: string | null) => {
    await db.networkApply.update({ where: { id }, data: { state, message, finishedAt: new Date() } });
  };

  const rollBack = async (entry: TActive, actor: string, reason: string) => {
    if (entry.timer) clearTimeout(entry.timer);
    active = null;
    const failures = await undoSteps(entry.id, entry.steps, entry.steps.length);
    const message =
      failures.length === 0 ? reason : `${reason} Some undo commands failed: ${failures.join("; ")}`;
    await finish(entry.id, "rolled-back", message);
    busy = false;
    await publish(actor, { action: "rollback", applyId: entry.id, state: "rolled-back", message });
    return { failures, message };
  };

  const apply = async (input: {
    changes: TNetworkChange[];
    digest: string;
    rollbackSeconds?: number;
    actor: string;
    serverAddress: string | null;
  }) => {
    if (busy)
      throw new AppError("CONFLICT", {
        message: active
          ? "Another network change is waiting for confirmation"
          : "Another network change is being applied",
        hint: "Confirm or roll back the pending change first (Network page).",
      });
    busy = true;
    let keepBusy = false;
    try {
      const plan = await replan(input.changes, input.serverAddress);
      {
        if (plan.digest !== input.digest)
          throw new AppError("CONFLICT", {
            message: "The host's network changed since this plan was shown, so it would run other commands",
            hint: "Review the plan again, then apply it.",
            field: "digest",
          });
        const rollbackSeconds =
          input.rollbackSeconds ?? (plan.touchesSession ? DEFAULT_ROLLBACK_SECONDS : undefined);
        const id = randomUUID();
        await db.networkApply.create({
          data: {
            id,
            actor: input.actor,
            state: "applying",
            changes: JSON.stringify(input.changes),
            steps: JSON.stringify(plan.steps),
          },
        });
        for (const [index, step] of plan.steps.entries()) {
          // Counted before it runs (written ahead): if Atelier dies while the step runs, the start-up recovery
          // undoes it too. Counted after, a step made just before a crash was left in place.
          await db.networkApply.update({ where: { id }, data: { done: index + 1 } });
          const result = await run(step);
          await appendLog(id, [{ argv: step.argv, ...result, undo: false }]);
          if (!result.ok) {
            await db.networkApply.update({ where: { id }, data: { done: index } });
            const failures = await undoSteps(id, plan.steps, index);
            const message = `Step ${index + 1} (${step.argv.join(" ")}) failed: ${result.output || "no output"}. ${
              index === 0
                ? "Nothing had changed."
                : failures.length === 0
                  ? `The ${index} step${index === 1 ? "" : "s"} before it ${index === 1 ? "was" : "were"} undone: the host is as it was.`
                  : `Undoing the steps before it failed too: ${failures.join("; ")}`
            }`;
            await finish(id, "failed", message);
            await publish(input.actor, { action: "apply", applyId: id, state: "failed", message });
            throw new AppError("BAD_REQUEST", { message, stderr: result.output, field: "changes" });
          }
        }
        if (rollbackSeconds === undefined) {
          await commit(plan);
          await finish(id, "applied", null);
          await publish(input.actor, { action: "apply", applyId: id, state: "applied" });
          return { applyId: id, state: "applied" as TApplyState, rollbackAt: null };
        }
        const rollbackAt = new Date(Date.now() + rollbackSeconds * 1000);
        await db.networkApply.update({ where: { id }, data: { state: "pending", rollbackAt } });
        const entry: TActive = { id, plan, steps: plan.steps, timer: null, rollbackAt };
        entry.timer = setTimeout(() => {
          void rollBack(
            entry,
            "atelier",
            `Not confirmed within ${rollbackSeconds} s: rolled back automatically.`,
          ).then(
            ({ failures }) =>
              audit("atelier", "network.rollback", id, failures.length === 0, failures.join("; ") || null),
            (error: unknown) => log.error("automatic rollback failed", { error, applyId: id }),
          );
        }, rollbackSeconds * 1000);
        active = entry;
        keepBusy = true;
        await publish(input.actor, { action: "apply", applyId: id, state: "pending", rollbackAt });
        return { applyId: id, state: "pending" as TApplyState, rollbackAt };
      }
    } finally {
      if (!keepBusy) busy = false;
    }
  };

  const pendingOrRefuse = async (applyId: string) => {
    if (active?.id === applyId) return active;
    const row = await db.networkApply.findUnique({ where: { id: applyId } });
    if (!row) throw new AppError("NOT_FOUND", { message: `There is no network change ${applyId}` });
    throw new AppError("PRECONDITION_FAILED", {
      message: `That network change is ${row.state}, not waiting for confirmation${row.message ? `: ${row.message}` : ""}`,
      hint: "Look at the host's network as it is now, and plan the change again if you still want it.",
    });
  };

  /** The browser reached Atelier after the change: keep it. */
  const confirm = async ({ applyId, actor }: { applyId: string; actor: string }) => {
    const entry = await pendingOrRefuse(applyId);
    if (entry.timer) clearTimeout(entry.timer);
    active = null;
    try {
      await commit(entry.plan);
      await finish(entry.id, "confirmed", null);
    } finally {
      busy = false;
    }
    await publish(actor, { action: "confirm", applyId, state: "confirmed" });
    return { applyId, state: "confirmed" as TApplyState };
  };

  const rollback = async ({ applyId, actor }: { applyId: string; actor: string }) => {
    const entry = await pendingOrRefuse(applyId);
    const { message } = await rollBack(entry, actor, `Rolled back by ${actor}.`);
    return { applyId, state: "rolled-back" as TApplyState, message };
  };

  const toView = (row: {
    id: string;
    createdAt: Date;
    actor: string;
    state: string;
    steps: string;
    done: number;
    rollbackAt: Date | null;
    finishedAt: Date | null;
    message: string | null;
    log: string;
  }) => ({
    id: row.id,
    createdAt: row.createdAt,
    actor: row.actor,
    state: row.state as TApplyState,
    steps: (JSON.parse(row.steps) as TPlanStep[]).map(({ description, argv }) => ({ description, argv })),
    done: row.done,
    rollbackAt: row.rollbackAt,
    finishedAt: row.finishedAt,
    message: row.message,
    log: JSON.parse(row.log) as TLogLine[],
  });

  const get = async (applyId: string) => {
    const row = await db.networkApply.findUnique({ where: { id: applyId } });
    if (!row) throw new AppError("NOT_FOUND", { message: `There is no network change ${applyId}` });
    return toView(row);
  };

  const recent = async () =>
    (await db.networkApply.findMany({ orderBy: { createdAt: "desc" }, take: 20 })).map(toView);

  /** At start-up: a change still applying or waiting when Atelier stopped was never confirmed; undo it. */
  const recover = async () => {
    const rows = await db.networkApply.findMany({ where: { state: { in: ["applying", "pending"] } } });
    for (const row of rows) {
      const steps = JSON.parse(row.steps) as TPlanStep[];
      // A step counted but not logged was in flight: made or not, it is undone (its undo may fail, harmlessly).
      const logged = (JSON.parse(row.log) as TLogLine[]).filter((line) => !line.undo).length;
      const failures = await undoSteps(row.id, steps, row.done, row.done > logged ? row.done - 1 : null);
      const message = `Atelier stopped before this change was confirmed: rolled back at start-up.${
        failures.length > 0 ? ` Some undo commands failed: ${failures.join("; ")}` : ""
      }`;
      await finish(row.id, "rolled-back", message);
      await audit("atelier", "network.rollback", row.id, failures.length === 0, failures.join("; ") || null);
      await publish("atelier", { action: "rollback", applyId: row.id, state: "rolled-back", message });
      log.warn("unconfirmed network change rolled back at start-up", { applyId: row.id });
    }
    return rows.length;
  };

  /** At shutdown: nobody can confirm while Atelier is down, so a pending change is undone now. */
  const close = async () => {
    if (active) await rollBack(active, "atelier", "Atelier stopped before this change was confirmed.");
  };

  return {
    apply,
    confirm,
    rollback,
    get,
    recent,
    recover,
    close,
    pending: () => (active ? { applyId: active.id, rollbackAt: active.rollbackAt } : null),
  };
};

export type TNetworkApplier = ReturnType<typeof createNetworkApplier>;
