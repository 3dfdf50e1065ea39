import { randomUUID } from "node:crypto";
import type { TDb } from "../db";
import { AppError, isAppError, isErrorId, said, selectKey } from "../errors";
import type { EventBus } from "../events/bus";
import {
  rolledBack,
  type TNetworkApplyItem,
  type TNetworkLogLine,
  type TRollbackReason,
} from "../helper/contract/network";
import { errorPhrase, phrase, wordsOf, type TPhrase, type TWords } from "../i18n/english";
import type { THelper } from "../helper-client";
import type { TLogger } from "../log";
import type { TNetworkChange, TPlan, TPlanStep } from "./plan";

/**
 * Applying a plan, as the web tier sees it: the helper plans the changes again, runs the steps, undoes them at
 * once if one fails, and keeps a change that waits for confirmation with its own rollback timer
 * (server/helper/network/apply.ts): a change that touches the interface or route this browser came in on, or
 * any change when asked, is undone unless the browser confirms over the new path within the rollback time, even if
 * the web tier dies meanwhile. Here: each apply is a row in the database (its steps and every command's output as
 * the helper streams them), the timer that rolls back on time while the web tier lives, and the commit (the
 * bridges Atelier manages recorded and persisted) once kept. One apply at a time. How a change ended is kept in
 * English (`message`, for the API) with its sentence's words (`messageWords`, for the pages).
 */
export type TApplyState = "applying" | "pending" | "applied" | "confirmed" | "rolled-back" | "failed";
type TLogLine = TNetworkLogLine;

export const DEFAULT_ROLLBACK_SECONDS = 60;

export type TApplyDeps = {
  db: TDb;
  events: EventBus;
  log: TLogger;
  helper: Pick<THelper, "network">;
  /** The plan for these changes against the host as it is now (the steps the row records). */
  replan: (changes: TNetworkChange[], serverAddress: string | null) => Promise<TPlan>;
  /** The interface this browser's session arrives on (the helper treats a change to it as needing confirmation). */
  sessionInterface: (serverAddress: string | null) => Promise<string | null>;
  /**
   * Records the bridges a plan claims or releases, and writes the persisted files from the live state (on the
   * admin's ticket: the helper writes the host's network files only with one).
   */
  commit: (plan: Pick<TPlan, "claimed" | "released">, adminTicket: string | undefined) => Promise<void>;
};

export const createNetworkApplier = ({
  db,
  events,
  log,
  helper,
  replan,
  sessionInterface,
  commit,
}: TApplyDeps) => {
  type TActive = {
    id: string;
    plan: Pick<TPlan, "claimed" | "released">;
    timer: NodeJS.Timeout | null;
    rollbackAt: Date | null;
  };
  let busy = false;
  let active: TActive | null = null;

  const appendLog = async (id: string, lines: TLogLine[]) => {
    if (lines.length === 0) return;
    const row = await db.networkApply.findUnique({ where: { id }, select: { log: true } });
    const previous = row ? (JSON.parse(row.log) as TLogLine[]) : [];
    await db.networkApply.update({ where: { id }, data: { log: JSON.stringify([...previous, ...lines]) } });
  };

  const publish = (actor: string, data: Record<string, unknown>) =>
    events.publish({ type: "network", actor, data });

  const audit = (actor: string, action: string, id: string, ok: boolean, error: string | null) =>
    db.auditEntry
      .create({
        data: { actor, via: "system", action, target: id, input: null, result: ok ? "ok" : "error", error },
      })
      .catch((cause: unknown) => log.error("audit entry could not be written", { error: cause }));

  const finish = async (
    id: string,
    state: TApplyState,
    message: string | null,
    words: TWords | null = null,
  ) => {
    await db.networkApply.update({
      where: { id },
      data: { state, message, messageWords: words ? JSON.stringify(words) : null, finishedAt: new Date() },
    });
  };
  /** finish with a sentence: its English and its words. */
  const finishWith = (id: string, state: TApplyState, outcome: TPhrase) =>
    finish(id, state, outcome.text, wordsOf(outcome));

  /** Streams a helper call's command lines into the row's log (each `{ kind: "line" }` item). */
  const logging = (id: string) => {
    let writes = Promise.resolve();
    return {
      onItem: (item: TNetworkApplyItem) => {
        if (item.kind === "step")
          writes = writes.then(() =>
            db.networkApply.update({ where: { id }, data: { done: item.index + 1 } }).then(() => undefined),
          );
        if (item.kind === "line") {
          const { argv, ok, output, undo } = item;
          writes = writes.then(() => appendLog(id, [{ argv, ok, output, undo }]));
        }
      },
      flushed: () => writes,
    };
  };

  const rollBack = async (entry: TActive, actor: string, why: TRollbackReason) => {
    if (entry.timer) clearTimeout(entry.timer);
    active = null;
    try {
      const lines = logging(entry.id);
      const result = await helper.network.rollback({ id: entry.id }, { onItem: lines.onItem });
      await lines.flushed();
      // Rolled back by the helper's own timer already (the web tier was late or away): its lines are in its record.
      if (result.byHelper) await appendLog(entry.id, result.log);
      const outcome = rolledBack(why, { failures: result.failures });
      const message = outcome.text;
      await finishWith(entry.id, "rolled-back", outcome);
      await publish(actor, { action: "rollback", applyId: entry.id, state: "rolled-back", message });
      return { failures: result.failures, message, messageWords: wordsOf(outcome) };
    } finally {
      busy = false;
    }
  };

  /** The web tier's own timer: the helper's fires a few seconds later, should this process be gone by then. */
  const arm = (entry: TActive, actor: string, why: TRollbackReason) => {
    if (!entry.rollbackAt) return;
    entry.timer = setTimeout(
      () => {
        void rollBack(entry, actor, why).then(
          ({ failures }) =>
            audit(
              "atelier",
              "network.rollback",
              entry.id,
              failures.length === 0,
              failures.join("; ") || null,
            ),
          (error: unknown) => log.error("automatic rollback failed", { error, applyId: entry.id }),
        );
      },
      Math.max(0, entry.rollbackAt.getTime() - Date.now()),
    );
  };

  const apply = async (input: {
    changes: TNetworkChange[];
    digest: string;
    rollbackSeconds?: number;
    actor: string;
    /** The admin's ticket: the helper changes the host's network only with one. */
    adminTicket?: string | undefined;
    serverAddress: string | null;
  }) => {
    if (busy) throw new AppError("CONFLICT", said(active ? "networkChangePending" : "networkChangeApplying"));
    busy = true;
    let keepBusy = false;
    try {
      const plan = await replan(input.changes, input.serverAddress);
      if (plan.digest !== input.digest)
        throw new AppError("CONFLICT", { ...said("networkChangedSincePlan"), field: "digest" });
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
      const lines = logging(id);
      const result = await helper.network
        .apply(
          {
            id,
            changes: input.changes,
            digest: input.digest,
            sessionInterface: await sessionInterface(input.serverAddress),
            rollbackSeconds: input.rollbackSeconds ?? null,
            ...(input.adminTicket ? { ticket: input.adminTicket } : {}),
          },
          { onItem: lines.onItem },
        )
        .catch(async (error: unknown) => {
          await lines.flushed();
          // An error that names its sentence keeps it (the page words it); another its English alone.
          await finish(
            id,
            "failed",
            (error as Error).message,
            isAppError(error) && error.id
              ? wordsOf(errorPhrase({ id: error.id, params: error.params ?? {}, message: error.message }))
              : null,
          );
          throw error;
        });
      await lines.flushed();
      if (result.state === "failed") {
        await db.networkApply.update({ where: { id }, data: { done: result.done } });
        await finish(
          id,
          "failed",
          result.message,
          result.id && isErrorId(result.id)
            ? wordsOf(errorPhrase({ id: result.id, params: result.params ?? {}, message: result.message }))
            : null,
        );
        await publish(input.actor, {
          action: "apply",
          applyId: id,
          state: "failed",
          message: result.message,
        });
        // The helper's sentence (its id and values), or its English alone from a helper that does not name one.
        throw new AppError("BAD_REQUEST", {
          // The helper's sentence (its id, values and hint) with its English kept as the helper said it.
          ...(result.id && isErrorId(result.id) ? said(result.id, result.params ?? {}) : {}),
          message: result.message,
          stderr: result.stderr,
          field: "changes",
        });
      }
      if (result.state === "applied") {
        await commit(result.plan, input.adminTicket);
        await finish(id, "applied", null);
        await publish(input.actor, { action: "apply", applyId: id, state: "applied" });
        return { applyId: id, state: "applied" as TApplyState, rollbackAt: null };
      }
      const rollbackAt = new Date(result.rollbackAt ?? Date.now());
      const seconds = Math.round((rollbackAt.getTime() - Date.now()) / 1000);
      await db.networkApply.update({ where: { id }, data: { state: "pending", rollbackAt } });
      const entry: TActive = { id, plan: result.plan, timer: null, rollbackAt };
      arm(entry, "atelier", { reason: "timeout", seconds: input.rollbackSeconds ?? seconds });
      active = entry;
      keepBusy = true;
      await publish(input.actor, { action: "apply", applyId: id, state: "pending", rollbackAt });
      return { applyId: id, state: "pending" as TApplyState, rollbackAt };
    } finally {
      if (!keepBusy) busy = false;
    }
  };

  const pendingOrRefuse = async (applyId: string) => {
    if (active?.id === applyId) return active;
    const row = await db.networkApply.findUnique({ where: { id: applyId } });
    if (!row) throw new AppError("NOT_FOUND", said("networkChangeNotFound", { id: applyId }));
    throw new AppError(
      "PRECONDITION_FAILED",
      row.message
        ? said("networkChangeNotPendingWhy", { state: selectKey(row.state), reason: row.message })
        : said("networkChangeNotPending", { state: selectKey(row.state) }),
    );
  };

  /** The browser reached Atelier after the change: keep it. */
  const confirm = async ({
    applyId,
    actor,
    adminTicket,
  }: {
    applyId: string;
    actor: string;
    /** The confirming admin's ticket, for the persisted files. */
    adminTicket?: string | undefined;
  }) => {
    const entry = await pendingOrRefuse(applyId);
    if (entry.timer) clearTimeout(entry.timer);
    active = null;
    try {
      await helper.network.confirm({ id: applyId }).catch(async (error: unknown) => {
        // Too late: the helper's own timer undid it (this process was away or slow); record what it did.
        const status = await helper.network.status({ id: applyId });
        if (status.state === "rolled-back") {
          await appendLog(applyId, status.log);
          await finish(applyId, "rolled-back", status.message, status.words ?? null);
        }
        throw error;
      });
      await commit(entry.plan, adminTicket);
      await finish(entry.id, "confirmed", null);
    } finally {
      busy = false;
    }
    await publish(actor, { action: "confirm", applyId, state: "confirmed" });
    return { applyId, state: "confirmed" as TApplyState };
  };

  const rollback = async ({ applyId, actor }: { applyId: string; actor: string }) => {
    const entry = await pendingOrRefuse(applyId);
    const { message, messageWords } = await rollBack(entry, actor, { reason: "actor", actor });
    return { applyId, state: "rolled-back" as TApplyState, message, messageWords };
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
    messageWords: string | null;
    log: string;
  }) => ({
    id: row.id,
    createdAt: row.createdAt,
    actor: row.actor,
    state: row.state as TApplyState,
    steps: (JSON.parse(row.steps) as TPlanStep[]).map(({ description, argv, words }) => ({
      description,
      argv,
      words,
    })),
    done: row.done,
    rollbackAt: row.rollbackAt,
    finishedAt: row.finishedAt,
    message: row.message,
    // Rows made before words were kept have none: the page shows their English.
    messageWords: row.messageWords ? (JSON.parse(row.messageWords) as TWords) : null,
    log: JSON.parse(row.log) as TLogLine[],
  });

  const get = async (applyId: string) => {
    const row = await db.networkApply.findUnique({ where: { id: applyId } });
    if (!row) throw new AppError("NOT_FOUND", said("networkChangeNotFound", { id: applyId }));
    return toView(row);
  };

  const recent = async () =>
    (await db.networkApply.findMany({ orderBy: { createdAt: "desc" }, take: 20 })).map(toView);

  /**
   * At start-up: the helper knows what became of a change this process left applying or pending (it died, or was
   * restarted): still pending, it is waited for again (the browser may still confirm in time); otherwise its
   * outcome (rolled back by the helper's timer, say) is recorded.
   */
  const recover = async () => {
    const rows = await db.networkApply.findMany({ where: { state: { in: ["applying", "pending"] } } });
    for (const row of rows) {
      const status = await helper.network.status({ id: row.id });
      if (status.state === "pending" && status.rollbackAt) {
        const entry: TActive = {
          id: row.id,
          plan: { claimed: status.claimed, released: status.released },
          timer: null,
          rollbackAt: new Date(status.rollbackAt),
        };
        // The helper counts the seconds of every change with a rollbackAt; failing that, those left now.
        const seconds =
          status.rollbackSeconds ??
          Math.max(0, Math.round((new Date(status.rollbackAt).getTime() - Date.now()) / 1000));
        arm(entry, "atelier", { reason: "timeout", seconds });
        active = entry;
        busy = true;
        continue;
      }
      const logged = (JSON.parse(row.log) as TLogLine[]).length;
      await appendLog(row.id, status.log.slice(logged));
      const state: TApplyState =
        status.state === "unknown" || status.state === "applying" ? "failed" : status.state;
      const unknown = status.state === "unknown" ? phrase("change.unknown") : null;
      const message = unknown ? unknown.text : status.message;
      await finish(row.id, state, message, unknown ? wordsOf(unknown) : (status.words ?? null));
      if (state === "rolled-back") {
        await audit("atelier", "network.rollback", row.id, true, null);
        await publish("atelier", { action: "rollback", applyId: row.id, state, message });
      }
      log.warn("a network change left unfinished by the last run", { applyId: row.id, state });
    }
    return rows.length;
  };

  /** At shutdown: nobody can confirm while Atelier is down, so a pending change is undone now. */
  const close = async () => {
    if (active) await rollBack(active, "atelier", { reason: "stopped" });
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
