import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { z } from "zod";
import { AppError } from "../../errors";
import {
  detectSystem,
  liveBridges,
  ownedFiles,
  readText,
  renderPersisted,
  type TPersistFile,
  type TPersistSystem,
} from "../../host-network/persist";
import { planChanges, ZInterfaceName, ZNetworkChange, type TPlanStep } from "../../host-network/plan";
import type { TLogger } from "../../log";
import { writeAtomically } from "../write-atomically";
import { requireTicket } from "../admins";
import { defineOperation } from "../operation";
import { readHostNetwork } from "./reads";

/**
 * Host network changes, owned by the helper: it computes the plan itself from the typed changes (the web tier's
 * plan is only shown to the browser; its digest must match), runs the steps, and keeps a change that waits for
 * confirmation in its own journal (a root-only file in its state directory) with a rollback timer. So a pending
 * change is undone even when the web tier dies, and a change in flight when the helper itself stops is undone when
 * it starts again. The web tier keeps the history (database rows, the Network page); the helper keeps the truth.
 * Changing the host's network (network.apply) and its persisted files (network.persist) is an admin's act: each
 * needs an admin's ticket (./admins.ts). Confirming or rolling back a change an admin applied needs none.
 */
export type TNetworkOutcome = "applied" | "confirmed" | "rolled-back" | "failed";
export type TNetworkLogLine = { argv: string[]; ok: boolean; output: string; undo: boolean };
type TActive = {
  id: string;
  steps: TPlanStep[];
  /** Steps counted before they run (written ahead): a step in flight at a crash is undone too. */
  done: number;
  /** Steps whose command returned (the rest of `done`, if any, was in flight). */
  logged: number;
  state: "applying" | "pending";
  rollbackAt: string | null;
  /** When its last step was made (ms). */
  appliedAt: number;
  claimed: string[];
  released: string[];
};
type TFinished = {
  id: string;
  state: TNetworkOutcome;
  message: string | null;
  failures: string[];
  log: TNetworkLogLine[];
};
type TJournal = { active: TActive | null; finished: TFinished[] };

/** The helper's own timer fires this long after the web tier's (which rolls back at rollbackAt itself). */
export const HELPER_ROLLBACK_GRACE_MS = 3000;
const KEEP_FINISHED = 50;
const MAX_ROLLBACK_SECONDS = 3600;
const DEFAULT_ROLLBACK_SECONDS = 60;

const run = async (argv: string[]) => {
  // Plans only ever hold iproute2 commands, made here; anything else is a bug, not something to run as root.
  if (argv[0] !== "ip") throw new Error(`refusing to run ${argv[0]}`);
  const result = await execa("ip", argv.slice(1), { reject: false, timeout: 10_000, stdin: "ignore" });
  return { ok: result.exitCode === 0, output: (result.stderr || result.stdout || "").trim().slice(0, 1000) };
};

/** Writes the files (atomically) and removes Atelier's files that are no longer needed. */
export const writePersisted = async (root: string, system: TPersistSystem, files: TPersistFile[]) => {
  for (const file of files) {
    const target = path.join(root, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    // Readable by all, as the rest of /etc/network and /etc/systemd/network (the web tier compares them).
    if ((await readText(target)) !== file.content)
      await writeAtomically(target, file.content, { newMode: 0o644 });
  }
  for (const relative of await ownedFiles(root, system))
    if (!files.some((file) => file.path === relative)) await rm(path.join(root, relative), { force: true });
};

const ZId = z.string().uuid();

export const networkOperations = ({
  stateDir,
  hostRoot,
  log,
}: {
  /** The helper's own directory (root only): the journal of the change in flight. */
  stateDir: string;
  /** Where the host's /etc is ("/", or a directory laid out like / in tests). */
  hostRoot: string;
  log?: TLogger;
}) => {
  const journalFile = path.join(stateDir, "network.json");
  let journal: TJournal = { active: null, finished: [] };
  let timer: NodeJS.Timeout | null = null;
  let busy = false;
  const runLog = new Map<string, TNetworkLogLine[]>();

  const save = async () => {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await writeAtomically(journalFile, JSON.stringify(journal));
  };
  const finish = async (
    entry: TActive,
    state: TNetworkOutcome,
    message: string | null,
    failures: string[] = [],
  ) => {
    if (timer) clearTimeout(timer);
    timer = null;
    const record: TFinished = { id: entry.id, state, message, failures, log: runLog.get(entry.id) ?? [] };
    runLog.delete(entry.id);
    journal = { active: null, finished: [record, ...journal.finished].slice(0, KEEP_FINISHED) };
    await save();
    return record;
  };
  const note = (id: string, line: TNetworkLogLine) => runLog.set(id, [...(runLog.get(id) ?? []), line]);

  /** Undoes the first `done` steps, last first, past failures; says which undo commands failed. */
  const undo = async (entry: TActive, emit?: (line: TNetworkLogLine) => Promise<void>) => {
    const failures: string[] = [];
    const unsure = entry.done > entry.logged ? entry.done - 1 : null;
    for (const [index, step] of [...entry.steps.slice(0, entry.done).entries()].toReversed()) {
      for (const command of step.undo) {
        const result = await run(command.argv);
        const line = { argv: command.argv, ...result, undo: true };
        note(entry.id, line);
        await emit?.(line);
        if (!result.ok && index !== unsure) failures.push(`${command.argv.join(" ")}: ${result.output}`);
      }
    }
    return failures;
  };

  const rollBack = async (
    entry: TActive,
    reason: string,
    emit?: (line: TNetworkLogLine) => Promise<void>,
  ) => {
    const failures = await undo(entry, emit);
    const message =
      failures.length === 0 ? reason : `${reason} Some undo commands failed: ${failures.join("; ")}`;
    return finish(entry, "rolled-back", message, failures);
  };

  const arm = (entry: TActive) => {
    if (!entry.rollbackAt) return;
    const delay = Math.max(0, new Date(entry.rollbackAt).getTime() - Date.now() + HELPER_ROLLBACK_GRACE_MS);
    timer = setTimeout(() => {
      if (journal.active?.id !== entry.id || busy) return;
      busy = true;
      const seconds = Math.round((new Date(entry.rollbackAt ?? 0).getTime() - entry.appliedAt) / 1000);
      void rollBack(entry, `Not confirmed within ${seconds} s: rolled back automatically.`)
        .then(() => log?.warn("unconfirmed network change rolled back", { applyId: entry.id }))
        .catch((error: unknown) => log?.error("automatic rollback failed", { error, applyId: entry.id }))
        .finally(() => (busy = false));
    }, delay);
    timer.unref();
  };

  /**
   * At the helper's start: a change a previous helper left applying or pending is undone (that helper died or was
   * stopped; nobody can say a browser still reaches the host). A web tier that died alone leaves the helper, and
   * its timer, running: its successor finds the change still pending.
   */
  const recover = async () => {
    const text = await readFile(journalFile, "utf8").catch(() => null);
    if (!text) return;
    journal = JSON.parse(text) as TJournal;
    const entry = journal.active;
    if (!entry) return;
    await rollBack(entry, "Atelier stopped before this change was confirmed: rolled back at start-up.");
    log?.warn("unconfirmed network change rolled back at start-up", { applyId: entry.id });
  };

  const outcomeOf = (id: string) => journal.finished.find((entry) => entry.id === id) ?? null;
  const refuseNotPending = (id: string): never => {
    const outcome = outcomeOf(id);
    throw new AppError(outcome ? "PRECONDITION_FAILED" : "NOT_FOUND", {
      message: outcome
        ? `That network change is ${outcome.state}, not waiting for confirmation${outcome.message ? `: ${outcome.message}` : ""}`
        : `The helper has no network change ${id} waiting`,
      hint: "Look at the host's network as it is now, and plan the change again if you still want it.",
    });
  };

  /** What became of a change: waiting (with its timer), how it ended, or unknown to this helper. */
  const statusOf = (id: string) => {
    const entry = journal.active;
    const none = {
      rollbackAt: null,
      rollbackSeconds: null,
      claimed: [] as string[],
      released: [] as string[],
    };
    if (entry?.id === id)
      return {
        state: entry.state,
        rollbackAt: entry.rollbackAt,
        rollbackSeconds: entry.rollbackAt
          ? Math.round((new Date(entry.rollbackAt).getTime() - entry.appliedAt) / 1000)
          : null,
        message: null,
        log: runLog.get(id) ?? [],
        claimed: entry.claimed,
        released: entry.released,
      };
    const outcome = outcomeOf(id);
    if (outcome) return { ...outcome, ...none };
    return { state: "unknown" as const, message: null, log: [] as TNetworkLogLine[], ...none };
  };

  const operations = {
    /**
     * Plans the changes against the host as it is now, and runs the plan if its digest is the one shown. Streams
     * each command as it returns. A change that touches the session's interface (or asked to) waits for
     * confirmation: rolled back by `network.rollback`, or by the helper's own timer a little after rollbackAt.
     */
    "network.apply": defineOperation({
      input: z
        .object({
          id: ZId,
          changes: z.array(ZNetworkChange).min(1).max(100),
          digest: z.string().regex(/^[0-9a-f]{64}$/),
          sessionInterface: ZInterfaceName.nullable(),
          rollbackSeconds: z.number().int().min(1).max(MAX_ROLLBACK_SECONDS).nullable(),
          ticket: z.string().max(4096).optional(),
        })
        .strict(),
      run: async (input, { emit }) => {
        await requireTicket(stateDir, input.ticket, "Changing the host's network");
        if (busy || journal.active)
          throw new AppError("CONFLICT", {
            message:
              journal.active?.state === "pending"
                ? "Another network change is waiting for confirmation"
                : "Another network change is being applied",
            hint: "Confirm or roll back the pending change first (Network page).",
          });
        if (outcomeOf(input.id))
          throw new AppError("CONFLICT", { message: `Change ${input.id} already ran` });
        busy = true;
        try {
          const plan = planChanges(input.changes, await readHostNetwork(), input.sessionInterface);
          if (plan.digest !== input.digest)
            throw new AppError("CONFLICT", {
              message: "The host's network changed since this plan was shown, so it would run other commands",
              hint: "Review the plan again, then apply it.",
              field: "digest",
            });
          const rollbackSeconds =
            input.rollbackSeconds ?? (plan.touchesSession ? DEFAULT_ROLLBACK_SECONDS : null);
          const entry: TActive = {
            id: input.id,
            steps: plan.steps,
            done: 0,
            logged: 0,
            state: "applying",
            rollbackAt: null,
            appliedAt: 0,
            claimed: plan.claimed,
            released: plan.released,
          };
          journal = { ...journal, active: entry };
          const emitLine = (line: TNetworkLogLine) => emit({ kind: "line", ...line });
          for (const [index, step] of plan.steps.entries()) {
            entry.done = index + 1;
            await save();
            await emit({ kind: "step", index });
            const result = await run(step.argv);
            entry.logged = index + 1;
            const line = { argv: step.argv, ...result, undo: false };
            note(entry.id, line);
            await emitLine(line);
            if (!result.ok) {
              entry.done = index;
              entry.logged = index;
              const failures = await undo(entry, emitLine);
              const message = `Step ${index + 1} (${step.argv.join(" ")}) failed: ${result.output || "no output"}. ${
                index === 0
                  ? "Nothing had changed."
                  : failures.length === 0
                    ? `The ${index} step${index === 1 ? "" : "s"} before it ${index === 1 ? "was" : "were"} undone: the host is as it was.`
                    : `Undoing the steps before it failed too: ${failures.join("; ")}`
              }`;
              await finish(entry, "failed", message);
              return {
                state: "failed" as const,
                message,
                stderr: result.output,
                rollbackAt: null,
                plan,
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
              plan,
              done: plan.steps.length,
            };
          }
          entry.state = "pending";
          entry.appliedAt = Date.now();
          entry.rollbackAt = new Date(Date.now() + rollbackSeconds * 1000).toISOString();
          await save();
          arm(entry);
          return {
            state: "pending" as const,
            message: null,
            stderr: null,
            rollbackAt: entry.rollbackAt,
            plan,
            done: plan.steps.length,
          };
        } finally {
          busy = false;
        }
      },
    }),
    /** The browser reached Atelier after the change: keep it (the timer stops). */
    "network.confirm": defineOperation({
      input: z.object({ id: ZId }).strict(),
      run: async ({ id }) => {
        const entry = journal.active;
        if (!entry || entry.id !== id || entry.state !== "pending" || busy) return refuseNotPending(id);
        await finish(entry, "confirmed", null);
        return { state: "confirmed" as const, claimed: entry.claimed, released: entry.released };
      },
    }),
    /** Undoes a pending change now; a change the helper's timer already undid answers with that outcome. */
    "network.rollback": defineOperation({
      input: z.object({ id: ZId }).strict(),
      run: async ({ id }, { emit }) => {
        const entry = journal.active;
        if (entry?.id === id && entry.state === "pending" && !busy) {
          busy = true;
          try {
            const record = await rollBack(entry, "Rolled back when the web tier asked.", (line) =>
              emit({ kind: "line", ...line }),
            );
            return { state: "rolled-back" as const, failures: record.failures, byHelper: false };
          } finally {
            busy = false;
          }
        }
        const outcome = outcomeOf(id);
        if (outcome?.state === "rolled-back")
          return {
            state: "rolled-back" as const,
            failures: outcome.failures,
            byHelper: true,
            message: outcome.message,
            log: outcome.log,
          };
        return refuseNotPending(id);
      },
    }),
    /** What became of a change: waiting, or how it ended (for the web tier after a restart). */
    "network.status": defineOperation({
      input: z.object({ id: ZId }).strict(),
      run: ({ id }) => Promise.resolve(statusOf(id)),
    }),
    /**
     * Writes the managed bridges, as they are live, to the host's own network configuration (Atelier's files only:
     * /etc/network/interfaces.d/atelier or /etc/systemd/network/50-atelier-*), rendered here from the live state.
     */
    "network.persist": defineOperation({
      input: z
        .object({
          managed: z.array(ZInterfaceName).max(1000),
          containerPorts: z.array(ZInterfaceName).max(100_000),
          ticket: z.string().max(4096).optional(),
        })
        .strict(),
      run: async ({ managed, containerPorts, ticket }) => {
        await requireTicket(stateDir, ticket, "Writing the host's network configuration");
        const [network, target] = await Promise.all([readHostNetwork(), detectSystem(hostRoot)]);
        const ports = new Set(containerPorts);
        const files = renderPersisted(target.system, liveBridges(network, new Set(managed)), (name) =>
          ports.has(name),
        );
        await writePersisted(hostRoot, target.system, files);
        return { system: target.system, files: files.map((file) => `/${file.path}`) };
      },
    }),
  };
  /** At the helper's stop: nobody can confirm a pending change any more; it is undone now. */
  const close = async () => {
    const entry = journal.active;
    if (entry?.state === "pending" && !busy)
      await rollBack(entry, "Atelier stopped before this change was confirmed.");
  };
  return { operations, recover, close };
};
