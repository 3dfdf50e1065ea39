import { randomUUID } from "node:crypto";
import type { TDb } from "../db";
import { AppError, said } from "../errors";
import type { THelper } from "../helper-client";
import type { TJobItem } from "../helper/contract/jobs";
import type { EventBus } from "../events/bus";
import type { TLogger } from "../log";
import { phase, type TPhase } from "../i18n/job-phases";

/**
 * Durable jobs: long operations (create, clone, snapshot, restore, destroy) return a job id at once and run in the
 * background. A job records owner, target, progress (0-100, or null when it cannot be known), phase, the lines its
 * commands print, and its result or error, in the database. Cancelling kills the whole process tree of the command
 * it runs (its own process group) and runs the job's clean-up, so that nothing half-made is left. A job still
 * running when Atelier starts (a crash, kill -9) is marked "interrupted", its process group killed, and the clean-up
 * of its kind run. Job state changes are events (type "job") on the live stream.
 */
export type TJobState = "running" | "succeeded" | "failed" | "cancelled" | "interrupted";

export type TJobContext = {
  id: string;
  signal: AbortSignal;
  setProgress: (progress: number | null, phase?: TPhase) => void;
  log: (line: string) => void;
  /**
   * Runs one of the helper's job operations, given as its method (`context.stream(helper.jobs.copy, { … })`): its
   * command runs in a process group of its own, killed whole when the job is cancelled; its output is streamed to
   * the job's log and its stdout lines to `onLine`. The result is the operation's, as its contract types it.
   */
  stream: <TInput, TResult>(
    operation: TJobOperation<TInput, TResult>,
    input: NoInfer<TInput>,
    options?: { onLine?: (line: string) => void },
  ) => Promise<TResult>;
};

/**
 * A method of the helper client's `jobs` family (helper.jobs.createDebian, .copy, .unpackTarball…): a call whose
 * items are the contract's job items (the command's process group, then its lines).
 */
export type TJobOperation<TInput, TResult> = (
  input: TInput,
  options: { signal: AbortSignal; onItem: (item: TJobItem) => Promise<void> },
) => Promise<TResult>;

export type TJobSpec<T> = {
  kind: string;
  owner: string;
  target: string;
  /** What the job is about besides its target (a clone's source, a snapshot's name): carried by its events, whose
   * sentences name it (components/lib/event-sentence.ts). */
  about?: Record<string, string>;
  work: (context: TJobContext) => Promise<T>;
  /** Undo what a failed, cancelled or interrupted job half-made. */
  cleanup?: () => Promise<void>;
  /** Runs when the work (and clean-up) is over, before the job's final state is written (releases locks). */
  onSettled?: () => Promise<void>;
};

const KEEP_LINES = 2000;

export const createJobs = ({
  db,
  events,
  log,
  helper,
  cleanupFor,
}: {
  db: TDb;
  helper: THelper;
  events: EventBus;
  log: TLogger;
  /** The clean-up for a job interrupted by a restart, from its kind and target. */
  cleanupFor: (kind: string, target: string) => (() => Promise<void>) | undefined;
}) => {
  let shuttingDown = false;
  const active = new Map<
    string,
    { controller: AbortController; pgid: number | null; finished: Promise<void> }
  >();

  const publish = (
    job: { id: string; kind: string; target: string; owner: string; about?: Record<string, string> },
    data: Record<string, unknown>,
  ) =>
    events.publish({
      type: "job",
      container: job.target,
      actor: job.owner,
      data: { jobId: job.id, kind: job.kind, ...job.about, ...data },
    });

  const start = async <T>(spec: TJobSpec<T>) => {
    const id = randomUUID();
    await db.job.create({
      data: { id, kind: spec.kind, owner: spec.owner, target: spec.target, state: "running", progress: 0 },
    });
    const controller = new AbortController();
    const entry: { controller: AbortController; pgid: number | null; finished: Promise<void> } = {
      controller,
      pgid: null,
      finished: Promise.resolve(),
    };
    active.set(id, entry);
    const job = { id, kind: spec.kind, target: spec.target, owner: spec.owner, about: spec.about };
    const startedAt = Date.now();

    // Progress and lines are written at most every 500 ms: a debootstrap prints hundreds of lines.
    let pendingLines: string[] = [];
    let pendingUpdate: { progress?: number | null; phase?: string } = {};
    let lastProgressEvent = 0;
    let lineCount = 0;
    const flush = async () => {
      const lines = pendingLines;
      const update = pendingUpdate;
      pendingLines = [];
      pendingUpdate = {};
      if (lines.length > 0) await db.jobLine.createMany({ data: lines.map((text) => ({ jobId: id, text })) });
      if (Object.keys(update).length > 0) await db.job.update({ where: { id }, data: update });
    };
    const flusher = setInterval(() => void flush().catch(() => undefined), 500);

    const context: TJobContext = {
      id,
      signal: controller.signal,
      setProgress: (progress, now) => {
        pendingUpdate = {
          ...pendingUpdate,
          progress: progress === null ? null : Math.max(0, Math.min(100, Math.round(progress))),
          ...(now === undefined ? {} : { phase: now }),
        };
        if (Date.now() - lastProgressEvent > 1000) {
          lastProgressEvent = Date.now();
          void publish(job, { state: "running", progress, phase: now });
        }
      },
      log: (line) => {
        // A job's log is bounded; its end (the error, usually) matters most, so the middle is what is dropped.
        lineCount += 1;
        if (lineCount === KEEP_LINES) pendingLines.push("(further lines are not kept)");
        if (lineCount < KEEP_LINES) pendingLines.push(line.slice(0, 2000));
      },
      stream: async (operation, input, options = {}) => {
        if (controller.signal.aborted) throw new AppError("CONFLICT", said("jobCancelled"));
        try {
          return await operation(input, {
            signal: controller.signal,
            onItem: async (item) => {
              if ("pgid" in item) {
                entry.pgid = item.pgid;
                await db.job.update({ where: { id }, data: { pgid: item.pgid } });
              } else {
                context.log(item.line);
                if (item.stream === "stdout") options.onLine?.(item.line);
              }
            },
          });
        } catch (error) {
          if (controller.signal.aborted) throw new AppError("CONFLICT", said("jobCancelled"));
          throw error;
        } finally {
          if (entry.pgid !== null) {
            entry.pgid = null;
            await db.job.update({ where: { id }, data: { pgid: null } });
          }
        }
      },
    };

    const finish = async (state: TJobState, data: { result?: unknown; error?: string }) => {
      clearInterval(flusher);
      await flush().catch(() => undefined);
      await db.job.update({
        where: { id },
        data: {
          state,
          finishedAt: new Date(),
          ...(state === "succeeded" ? { progress: 100, phase: phase("done") } : {}),
          result: data.result === undefined ? null : JSON.stringify(data.result),
          error: data.error ?? null,
        },
      });
      active.delete(id);
      await publish(job, {
        state,
        seconds: Math.round((Date.now() - startedAt) / 1000),
        ...(data.error ? { error: data.error } : {}),
      });
    };

    entry.finished = (async () => {
      try {
        const result = await spec.work(context);
        await spec.onSettled?.();
        await finish("succeeded", { result });
      } catch (error) {
        const cancelled = controller.signal.aborted;
        const interrupted = cancelled && shuttingDown;
        const message = error instanceof Error ? error.message : String(error);
        if (spec.cleanup) {
          context.log(cancelled ? "Cancelled: cleaning up" : "Failed: cleaning up");
          await spec.cleanup().catch((cause: unknown) => {
            log.error("job clean-up failed", { jobId: id, error: cause });
            context.log(`Clean-up failed: ${(cause as Error).message}`);
          });
        }
        await spec.onSettled?.().catch(() => undefined);
        await finish(interrupted ? "interrupted" : cancelled ? "cancelled" : "failed", {
          error: interrupted
            ? "Atelier stopped while this job ran; what it had made was removed."
            : cancelled
              ? "Cancelled; what it had made was removed."
              : message,
        });
      }
    })();
    await publish(job, { state: "running", progress: 0 });
    return { jobId: id, finished: entry.finished };
  };

  const toView = (row: {
    id: string;
    kind: string;
    owner: string;
    target: string;
    state: string;
    progress: number | null;
    phase: string | null;
    result: string | null;
    error: string | null;
    createdAt: Date;
    finishedAt: Date | null;
  }) => ({
    id: row.id,
    kind: row.kind,
    owner: row.owner,
    target: row.target,
    state: row.state as TJobState,
    progress: row.progress,
    phase: row.phase,
    result: row.result ? (JSON.parse(row.result) as unknown) : null,
    error: row.error,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
  });

  const list = async ({ limit = 50 }: { limit?: number } = {}) =>
    (await db.job.findMany({ orderBy: { createdAt: "desc" }, take: limit })).map(toView);

  const get = async (id: string, { tail = 200 }: { tail?: number } = {}) => {
    const row = await db.job.findUnique({ where: { id } });
    if (!row) throw new AppError("NOT_FOUND", said("jobNotFound", { id }));
    const lines = await db.jobLine.findMany({ where: { jobId: id }, orderBy: { id: "desc" }, take: tail });
    return { ...toView(row), log: lines.reverse().map((line) => line.text) };
  };

  const cancel = async (id: string) => {
    const entry = active.get(id);
    if (!entry) {
      const row = await db.job.findUnique({ where: { id } });
      if (!row) throw new AppError("NOT_FOUND", said("jobNotFound", { id }));
      throw new AppError("PRECONDITION_FAILED", said("jobAlreadyEnded", { state: row.state }));
    }
    // The helper kills the command's whole process group when its call is cancelled.
    entry.controller.abort();
    await entry.finished;
    return get(id);
  };

  /** At start-up: jobs that were running when Atelier stopped are interrupted; their processes and leftovers go. */
  const recover = async () => {
    const rows = await db.job.findMany({ where: { state: "running" } });
    // The helper cancelled this process's predecessor's calls when it went away and kills their commands (or, if
    // the helper itself died, its successor did at its start): clean-up waits until they are gone.
    if (rows.length > 0) await helper.jobs.settle({});
    for (const row of rows) {
      await cleanupFor(row.kind, row.target)?.().catch((error: unknown) =>
        log.error("clean-up of an interrupted job failed", { jobId: row.id, error }),
      );
      await db.job.update({
        where: { id: row.id },
        data: {
          state: "interrupted",
          finishedAt: new Date(),
          pgid: null,
          error: "Atelier stopped while this job ran; what it had made was removed.",
        },
      });
      await db.jobLine.create({
        data: { jobId: row.id, text: "Interrupted by a restart of Atelier: cleaned up" },
      });
      await publish(row, { state: "interrupted" });
    }
    return rows.length;
  };

  /** Prunes jobs (and their lines) older than the given number of days. */
  const prune = async (days: number) => {
    const before = new Date(Date.now() - days * 24 * 60 * 60 * 1000);
    const old = await db.job.findMany({ where: { createdAt: { lt: before }, state: { not: "running" } } });
    const ids = old.map((row) => row.id);
    await db.jobLine.deleteMany({ where: { jobId: { in: ids } } });
    await db.job.deleteMany({ where: { id: { in: ids } } });
  };

  /** At shutdown: every running job is cancelled (its commands killed, its leftovers removed). */
  const stopAll = async () => {
    shuttingDown = true;
    for (const entry of active.values()) entry.controller.abort();
    await Promise.allSettled([...active.values()].map((entry) => entry.finished));
  };

  return {
    start,
    list,
    get,
    cancel,
    recover,
    prune,
    stopAll,
  };
};

export type TJobs = ReturnType<typeof createJobs>;
