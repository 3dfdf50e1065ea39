import type { TActor } from "../auth/roles";
import type { TDb } from "../db";
import { AppError, said } from "../errors";
import type { THelper } from "../helper-client";
import type { TLxcDriver } from "../helper-client/lxc";
import { phase } from "../i18n/job-phases";
import type { TJobContext, TJobOperation, TJobs } from "../jobs/jobs";
import { startLockedJob } from "../jobs/locked-job";
import type { TConfigService } from "../lxc-config/service";
import { LxcConfig } from "../schemas/lxc-config/model";
import { IDMAPPED_ROOTFS, idMapsOf, mappedRoot, parseIdPool, slotOf, type TIdPool } from "../schemas/idmap";
import type { TContainerService } from "../containers/service";

/**
 * Unprivileged containers in the web tier: the range of host ids each one maps (chosen by the helper from the pool,
 * written into its config, recorded here in IdRange and released when it is destroyed or made privileged), the
 * picture of a container's map for its page, and conversion of a stopped container, privileged to unprivileged
 * and back, as a job that takes a snapshot first so that it can be undone.
 */
export const createIsolation = ({
  db,
  helper,
  lxc,
  containers,
  config,
  jobs,
  idmapPool,
}: {
  db: TDb;
  helper: THelper;
  lxc: Pick<TLxcDriver, "exists" | "notFound">;
  containers: Pick<TContainerService, "get" | "locked">;
  config: Pick<TConfigService, "read">;
  jobs: TJobs;
  idmapPool: string;
}) => {
  const pool = parseIdPool(idmapPool) as TIdPool;

  /** The IdRange row, as the container's config has it now (written, moved or removed). */
  const syncRecord = async (name: string) => {
    const raw = (await config.read(name).catch(() => null))?.raw;
    const maps = raw === undefined ? [] : idMapsOf(LxcConfig.parse(raw).entries());
    const root = mappedRoot(maps);
    const slot = root === null ? null : slotOf(pool, { first: root.uid, count: 65536 });
    await db.$transaction(async (tx) => {
      await tx.idRange.deleteMany({ where: { container: name } });
      if (root === null || slot === null) return;
      // A slot recorded for another container is stale (it was destroyed outside Atelier): the config wins.
      await tx.idRange.deleteMany({ where: { slot } });
      await tx.idRange.create({ data: { container: name, slot, first: root.uid, count: 65536 } });
    });
  };

  /**
   * Within a job, the helper's operation streams its progress (`shift: DONE/TOTAL names` while owners are shifted):
   * the job's log gets every line, its progress bar moves between `from` and 99 %.
   */
  const inJob = async <TInput, TResult>(
    context: TJobContext | undefined,
    operation: TJobOperation<TInput, TResult>,
    input: TInput,
    from: number,
  ) => {
    if (!context)
      return operation(input, { signal: new AbortController().signal, onItem: () => Promise.resolve() });
    return context.stream(operation, input, {
      onLine: (line) => {
        const done = /^shift: (\d+)\/(\d+) names$/.exec(line);
        if (done && Number(done[2]) > 0)
          context.setProgress(from + ((99 - from) * Number(done[1])) / Number(done[2]), phase("shiftingIds"));
      },
    });
  };

  /** Gives a stopped container (one being made, or a clone of an unprivileged one) its own range, and records it. */
  const assign = async (
    name: string,
    actor: Pick<TActor, "adminTicket">,
    context?: TJobContext,
    /** Where the job's progress stands when the shift starts (it only moves forward from there). */
    from = 80,
  ) => {
    const range = await inJob(
      context,
      helper.idmap.assign,
      { name, ...(actor.adminTicket ? { ticket: actor.adminTicket } : {}) },
      from,
    );
    await syncRecord(name);
    return range;
  };

  const unassign = async (
    name: string,
    actor: Pick<TActor, "adminTicket">,
    context?: TJobContext,
    from = 80,
  ) => {
    await inJob(
      context,
      helper.idmap.unassign,
      { name, ...(actor.adminTicket ? { ticket: actor.adminTicket } : {}) },
      from,
    );
    await syncRecord(name);
  };

  /** Forgets a destroyed container's range. */
  const release = async (name: string) => {
    await db.idRange.deleteMany({ where: { container: name } });
  };

  /** A container's map as its config has it: who root is on the host, each map line, how its rootfs is mounted. */
  const picture = async (name: string) => {
    const read = await config.read(name);
    const model = LxcConfig.parse(read.raw);
    const maps = idMapsOf(model.entries());
    const root = mappedRoot(maps);
    const record = await db.idRange.findUnique({ where: { container: name } });
    return {
      unprivileged: root !== null,
      root,
      maps,
      idmappedRootfs: model.get("lxc.rootfs.options")?.trim() === IDMAPPED_ROOTFS,
      slot: record?.slot ?? null,
    };
  };

  const status = () => helper.idmap.status({});

  const mustBeStopped = async (name: string) => {
    if (!(await lxc.exists(name))) throw lxc.notFound(name);
    const { state } = await containers.get(name);
    if (state !== "STOPPED")
      throw new AppError(
        "PRECONDITION_FAILED",
        said("convertNeedsStopped", { name, state: state.toLowerCase() }),
      );
  };

  /**
   * Converts a stopped container as a job: a snapshot first (lxc-snapshot, "before conversion": restoring it undoes
   * the change, which for an unprivileged container only an admin may do), then its map given or taken out by the
   * helper. To unprivileged: any operator (it adds a protection); to privileged: an admin's ticket, which the
   * helper's config.write asks for.
   */
  const convert = async ({
    name,
    to,
    actor,
  }: {
    name: string;
    to: "unprivileged" | "privileged";
    actor: TActor;
  }) => {
    if (to === "privileged" && actor.role !== "admin")
      throw new AppError("FORBIDDEN", said("privilegedNeedsAdmin", { name }));
    return startLockedJob(
      jobs,
      containers,
      name,
      "snapshot",
      {
        kind: "convert",
        owner: actor.username,
        target: name,
        about: { to },
        work: async (context) => {
          context.setProgress(10, phase("snapshotBeforeConversion"));
          const snapshot = await context.stream(helper.jobs.snapshot, {
            name,
            comment: `Before conversion to ${to} by ${actor.username}`,
          });
          if (snapshot.exitCode !== 0)
            throw new AppError(
              "LXC_FAILED",
              said("toolFailedSilent", { command: "lxc-snapshot", exitCode: snapshot.exitCode }),
            );
          if (context.signal.aborted) throw new AppError("CONFLICT", said("jobCancelled"));
          context.setProgress(80, phase(to === "unprivileged" ? "mappingIds" : "unmappingIds"));
          const range =
            to === "unprivileged"
              ? await assign(name, actor, context)
              : (await unassign(name, actor, context), null);
          return { name, to, snapshot: /^(snap\d+)/.exec(snapshot.stdout.trim())?.[1] ?? null, range };
        },
      },
      async () => {
        await mustBeStopped(name);
        const current = await picture(name);
        if (to === "unprivileged" && current.unprivileged)
          throw new AppError("CONFLICT", said("alreadyUnprivileged", { name }));
        if (to === "privileged" && !current.unprivileged)
          throw new AppError("CONFLICT", said("alreadyPrivileged", { name }));
      },
    );
  };

  return { assign, unassign, release, syncRecord, picture, status, convert, pool };
};

export type TIsolation = ReturnType<typeof createIsolation>;
