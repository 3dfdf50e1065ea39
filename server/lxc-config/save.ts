import type { TRole } from "../auth/roles";
import { AppError, said } from "../errors";
import { validateConfig, type TConfigProblem } from "../schemas/lxc-config/validate";
import { changesBetween, unifiedDiff, versionOf } from "./changes";
import type { TConfigChecks } from "./checks";
import type { TConfigHistory } from "./history";
import type { TLiveCgroups } from "./live-cgroups";
import type { TReadConfig } from "./read";

/**
 * Writing a container's config: validate (ours here, then liblxc's own parser on the candidate, in the helper's
 * write) → diff → atomic write → the version kept in the database → cgroup changes applied to a running container
 * when asked. An invalid candidate is never written; a candidate based on a version that is no longer the file's is
 * refused.
 */
export type TConfigWriteInput = {
  name: string;
  raw: string;
  baseVersion: string;
  actor: string;
  /** The writer's role: an operator may not add or alter admin-only lines (server/lxc-config/privileges.ts). */
  role: TRole;
  /** An admin's ticket from the helper (the session's): the helper takes admin-only lines only with it. */
  adminTicket?: string | undefined;
  applyLive: boolean;
  reason: "save" | "restore" | "import";
};

export type TConfigSavingOptions = {
  read: TReadConfig;
  checks: Pick<TConfigChecks, "checkPrivileges" | "ownProblems" | "liblxcProblem" | "validate">;
  history: Pick<TConfigHistory, "keepFound" | "keep">;
  live: TLiveCgroups;
  /**
   * Replaces a container's config file atomically (in the helper: config.write, where an admin-only change needs the
   * admin's ticket).
   */
  writeFile: (name: string, text: string, adminTicket?: string) => Promise<void>;
};

export const createConfigSaving = ({ read, checks, history, live, writeFile }: TConfigSavingOptions) => {
  const queues = new Map<string, Promise<unknown>>();
  /** One write at a time per container. */
  const serially = <T>(name: string, work: () => Promise<T>) => {
    const run = (queues.get(name) ?? Promise.resolve()).then(work, work);
    const settled = run.catch(() => undefined);
    queues.set(name, settled);
    void settled.then(() => {
      if (queues.get(name) === settled) queues.delete(name);
    });
    return run;
  };

  /** The review before a save: our checks, liblxc's, and, for a non-admin, the lines their role may not write. */
  const preview = async (name: string, raw: string, role: TRole) => {
    const current = await read(name);
    const refused = await checks.checkPrivileges(name, current.raw, raw, role).then(
      () => [],
      (error: unknown) => (error instanceof AppError ? (error.problems ?? []) : []),
    );
    // liblxc never loads a candidate the caller may not write (it would read the files it names).
    const problems = refused.length > 0 ? [...refused, ...validateConfig(raw)] : await checks.validate(raw);
    return {
      version: current.version,
      problems: problems.sort((a, b) => a.line - b.line),
      diff: unifiedDiff(name, current.raw, raw),
      changes: changesBetween(current.raw, raw),
    };
  };

  const refused = (problems: TConfigProblem[]) => {
    const errors = problems.filter((problem) => problem.severity === "error");
    const [first] = errors;
    return new AppError("BAD_REQUEST", {
      ...said("configHasErrors", {
        count: errors.length,
        line: first?.line ?? 0,
        problem: first?.message ?? "",
      }),
      field: "raw",
      problems,
    });
  };

  /**
   * Three calls to the helper on the way through: config.read, config.hostPaths, config.write. liblxc is not asked
   * beforehand: config.write loads the candidate in liblxc itself before it writes (and refuses what ours refuses,
   * and an admin-only line without the ticket). It is asked here only for a text not written: an unchanged one
   * (nothing goes to the helper to judge it). A refusal of the helper's carries its lines (liblxc's among them).
   */
  const write = (input: TConfigWriteInput) =>
    serially(input.name, async () => {
      const { name, raw } = input;
      const current = await read(name);
      if (current.version !== input.baseVersion) {
        throw new AppError("CONFLICT", {
          ...said("configChangedSinceOpened", { name }),
          field: "baseVersion",
        });
      }
      await checks.checkPrivileges(name, current.raw, raw, input.role);
      const problems = await checks.ownProblems(raw);
      if (problems.some((problem) => problem.severity === "error")) throw refused(problems);
      const withLiblxcRefusal = async () => {
        const refusal = await checks.liblxcProblem(raw);
        return refusal ? [...problems, refusal].sort((a, b) => a.line - b.line) : null;
      };
      const diff = unifiedDiff(name, current.raw, raw);
      const changes = changesBetween(current.raw, raw);
      if (raw === current.raw) {
        const invalid = await withLiblxcRefusal();
        if (invalid) throw refused(invalid);
        return { version: current.version, diff, changes, problems };
      }

      await history.keepFound(name, current);
      try {
        await writeFile(name, raw, input.adminTicket);
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== "BAD_REQUEST") throw error;
        // The helper's refusal names its lines (liblxc's among them); an older helper's did not: then ask liblxc.
        const invalid = error.problems?.length
          ? [...problems, ...error.problems.filter((problem) => problem.severity === "error")].sort(
              (a, b) => a.line - b.line,
            )
          : await withLiblxcRefusal();
        throw invalid ? refused(invalid) : error;
      }
      const version = versionOf(raw);
      await history.keep({ name, raw, version, author: input.actor, reason: input.reason });
      await live.apply(name, changes, input.applyLive);
      return { version, diff, changes, problems };
    });

  return {
    preview,
    write,
    save: (input: Omit<TConfigWriteInput, "reason"> & { reason?: "save" | "import" }) =>
      write({ ...input, reason: input.reason ?? "save" }),
  };
};

export type TConfigWrite = ReturnType<typeof createConfigSaving>["write"];
