import type { TContainerService } from "../containers/service";
import type { THelper } from "../helper-client";
import { AppError, said } from "../errors";
import type { TJobs } from "../jobs/jobs";
import { startLockedJob } from "../jobs/locked-job";
import type { TLxcDriver } from "../helper-client/lxc";
import { summariseStderr } from "../schemas/lxc-stderr";
import { phase } from "../i18n/job-phases";
import type { TIsolation } from "./isolation";

/**
 * Snapshots with lxc-snapshot: create (with a comment), list (time, comment, size: read from LXCPATH/NAME/snaps,
 * no process but du), restore in place, restore as a new container, delete. LXC snapshots only stopped containers;
 * the refusal says so. Create and restore run as jobs (a big root filesystem takes a while).
 */
export { SNAPSHOT_NAME } from "../schemas/snapshot-name";

export const createSnapshots = ({
  lxc,
  helper,
  containers,
  jobs,
  destroyIfExists,
  isolation,
}: {
  lxc: TLxcDriver;
  helper: THelper;
  containers: Pick<TContainerService, "get" | "locked">;
  jobs: TJobs;
  destroyIfExists: (name: string) => Promise<void>;
  /** A container restored as new gets its own range of ids (LXC gave it the snapshot's). */
  isolation: Pick<TIsolation, "assign" | "syncRecord" | "picture">;
}) => {
  const mustBeStopped = async (name: string, what: "snapshot" | "restore") => {
    if (!(await lxc.exists(name))) throw lxc.notFound(name);
    const { state } = await containers.get(name);
    if (state !== "STOPPED")
      throw new AppError(
        "PRECONDITION_FAILED",
        said(what === "snapshot" ? "snapshotNeedsStopped" : "restoreNeedsStopped", {
          name,
          state: state.toLowerCase(),
        }),
      );
  };

  const list = async (name: string) => {
    if (!(await lxc.exists(name))) throw lxc.notFound(name);
    return (await helper.snapshots.list({ name })).map(({ ts, comment, ...entry }) => {
      // "2026:11:29 11:37:11", in the host's local time
      const match = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(ts);
      return {
        ...entry,
        createdAt: match ? new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}`) : null,
        comment: comment || null,
      };
    });
  };

  const mustExist = async (name: string, snapshot: string) => {
    if (!(await list(name)).some((entry) => entry.name === snapshot))
      throw new AppError("NOT_FOUND", { ...said("snapshotNotFound", { name, snapshot }), field: "snapshot" });
  };

  const failed = (command: string, result: { exitCode: number; stderr: string }) => {
    const output = summariseStderr(result.stderr);
    const params = { command, exitCode: result.exitCode };
    return new AppError("LXC_FAILED", {
      ...(output ? said("toolFailed", { ...params, output }) : said("toolFailedSilent", params)),
      stderr: result.stderr.trim().slice(-2000),
    });
  };

  /** A job under the container's lock; `check` runs under it too, so nothing changes its answer before the job. */
  const lockedJob = (name: string, spec: Parameters<TJobs["start"]>[0], check: () => Promise<void>) =>
    startLockedJob(jobs, containers, name, "snapshot", spec, check);

  const create = async ({ name, comment, actor }: { name: string; comment?: string; actor: string }) => {
    if (!(await lxc.exists(name))) throw lxc.notFound(name);
    return lockedJob(
      name,
      {
        kind: "snapshot",
        owner: actor,
        target: name,
        work: async (context) => {
          context.setProgress(null, phase("copyingRootfs"));
          const result = await context.stream(helper.jobs.snapshot, {
            name,
            ...(comment ? { comment } : {}),
          });
          if (result.exitCode !== 0) throw failed("lxc-snapshot", result);
          const made =
            /^(snap\d+)/.exec(result.stdout.trim())?.[1] ?? (await list(name)).at(-1)?.name ?? null;
          return { snapshot: made };
        },
      },
      () => mustBeStopped(name, "snapshot"),
    );
  };

  const restore = async ({
    name,
    snapshot,
    newName,
    actor,
    adminTicket,
  }: {
    name: string;
    snapshot: string;
    newName?: string;
    actor: string;
    /** The principal's admin ticket: lines an admin took out of the config come back only with it. */
    adminTicket?: string | undefined;
  }) => {
    await mustExist(name, snapshot);
    const check = async () => {
      if (!newName) return mustBeStopped(name, "restore");
      if (await lxc.exists(newName))
        throw new AppError("CONFLICT", { ...said("restoreNameTaken", { name: newName }), field: "newName" });
    };
    const spec = {
      kind: newName ? "restore-new" : "restore",
      owner: actor,
      target: newName ?? name,
      about: { source: name, snapshot },
      work: async (context: Parameters<Parameters<TJobs["start"]>[0]["work"]>[0]) => {
        context.setProgress(
          null,
          newName ? phase("restoringAsNew", { name: newName, snapshot }) : phase("restoring", { snapshot }),
        );
        const result = await context.stream(helper.jobs.restoreSnapshot, {
          name,
          snapshot,
          ...(newName ? { newName } : {}),
          ...(adminTicket ? { ticket: adminTicket } : {}),
        });
        if (result.exitCode !== 0) throw failed("lxc-snapshot -r", result);
        if (newName && (await isolation.picture(newName)).unprivileged) {
          context.setProgress(null, phase("mappingIds"));
          await isolation.assign(newName, { adminTicket }, context);
        } else await isolation.syncRecord(newName ?? name);
        return { name: newName ?? name, snapshot };
      },
      ...(newName ? { cleanup: () => destroyIfExists(newName) } : {}),
    };
    return lockedJob(newName ?? name, spec, check);
  };

  const remove = async ({ name, snapshot }: { name: string; snapshot: string }) => {
    await mustExist(name, snapshot);
    return containers.locked(name, "snapshot", async () => {
      await lxc.deleteSnapshot(name, snapshot);
      return list(name);
    });
  };

  return { list, create, restore, remove };
};

export type TSnapshots = ReturnType<typeof createSnapshots>;
