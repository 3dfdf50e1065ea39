import { createHash } from "node:crypto";
import path from "node:path";
import { createTwoFilesPatch } from "diff";
import type { TContainerService } from "../containers/service";
import type { TDb } from "../db";
import type { TRole } from "../auth/roles";
import { AppError } from "../errors";
import type { TLxcDriver } from "../lxc";
import type { TConfigVerdict } from "../lxc/check-config";
import { lookupKey } from "../schemas/lxc-config/catalogue";
import { LxcConfig } from "../schemas/lxc-config/model";
import {
  describePrivilegedChanges,
  lockedLines,
  PROTECTIVE_KEYS,
  type TPrivilegeContext,
} from "../schemas/lxc-config/privileges";
import { validateConfig, type TConfigProblem } from "../schemas/lxc-config/validate";
import { adminOnlyChanges } from "./admin-only";

/**
 * Reading and changing a container's config: validate (ours, then liblxc's own parser on the candidate) → diff →
 * atomic write → the version kept in the database → cgroup changes applied to a running container when asked.
 * An invalid candidate is never written; a candidate based on a version that is no longer the file's is refused.
 */
export type TConfigChange = {
  key: string;
  before: string[];
  after: string[];
  /** "live": a running container can take it at once (lxc-cgroup); "restart": at its next start. */
  apply: "live" | "restart";
  /** What happened to a live change on a running container, when it was asked for. */
  applied?: { ok: true } | { ok: false; message: string };
};

export const versionOf = (text: string) => createHash("sha256").update(text).digest("hex");

const liveFile = (key: string) => /^lxc\.cgroup2?\.(.+)$/.exec(key)?.[1];

/** What differs between two configs, key by key (the effective values, in order). */
export const changesBetween = (before: string, after: string): TConfigChange[] => {
  const a = LxcConfig.parse(before);
  const b = LxcConfig.parse(after);
  const keys = [...new Set([...a.entries(), ...b.entries()].map((entry) => entry.key))];
  return keys.flatMap((key) => {
    const was = a.getAll(key);
    const now = b.getAll(key);
    if (JSON.stringify(was) === JSON.stringify(now)) return [];
    const info = lookupKey(key);
    return [
      { key, before: was, after: now, apply: info?.apply === "live" && liveFile(key) ? "live" : "restart" },
    ];
  });
};

/** A diff gets at most this long to compute (an adversarial pair of texts can take minutes). */
const DIFF_TIMEOUT_MS = 2000;

export const unifiedDiff = (name: string, before: string, after: string) => {
  if (before === after) return "";
  const patch = createTwoFilesPatch(`${name}/config`, `${name}/config`, before, after, "current", "new", {
    timeout: DIFF_TIMEOUT_MS,
  });
  return (
    patch ??
    `--- ${name}/config\tcurrent\n+++ ${name}/config\tnew\n# The changes are too many to show as a diff (more than ${DIFF_TIMEOUT_MS / 1000} s to compute).\n`
  );
};

export type TConfigServiceOptions = {
  db: TDb;
  lxc: Pick<TLxcDriver, "configPath" | "exists" | "notFound" | "setCgroup">;
  containers: Pick<TContainerService, "get">;
  /** liblxc's verdict on a candidate (in the helper: lxc.checkConfig). */
  check: (text: string) => Promise<TConfigVerdict>;
  /** Reads a container's config file (in the helper: config.read; the container's directory is root's). */
  readConfig: (name: string) => Promise<string>;
  /** Warnings for host paths the config names that do not exist (in the helper: config.hostPaths). */
  hostPaths: (text: string) => Promise<TConfigProblem[]>;
  /**
   * Replaces a container's config file atomically (in the helper: config.write, where an admin-only change needs the
   * admin's ticket).
   */
  writeFile: (name: string, text: string, adminTicket?: string) => Promise<void>;
  /** Host directories operators may bind-mount from (ATELIER_BIND_ROOTS). */
  bindRoots?: readonly string[];
  /** The config new containers start from (ATELIER_CONTAINER_CONFIG), for checking an import before it is made. */
  containerConfigText?: () => Promise<string>;
};

/**
 * An operator's imported config keeps the protections of the config the template wrote (dropped capabilities,
 * device deny rules, includes, ID maps, seccomp): the lines it lacks are added at its end, under a comment.
 */
const keepProtections = (template: string, candidate: string) => {
  const kept = LxcConfig.parse(template)
    .entries()
    .filter((entry) => PROTECTIVE_KEYS.has(entry.key))
    .map((entry) => `${entry.key} = ${entry.value.trim()}`);
  const present = new Set(
    LxcConfig.parse(candidate)
      .entries()
      .map((entry) => `${entry.key} = ${entry.value.trim()}`),
  );
  const missing = kept.filter((line) => !present.has(line));
  if (missing.length === 0) return candidate;
  return `${candidate.replace(/\n*$/, "\n")}# Kept from the template (removing these needs the admin role)\n${missing.join("\n")}\n`;
};

export const createConfigService = ({
  db,
  lxc,
  containers,
  check,
  readConfig,
  hostPaths,
  writeFile,
  bindRoots = [],
  containerConfigText,
}: TConfigServiceOptions) => {
  const privilegeContext = (name: string): TPrivilegeContext => ({
    lxcPath: path.dirname(path.dirname(lxc.configPath(name))),
    name,
    bindRoots,
  });

  /**
   * An operator may keep admin-only lines unchanged, never add, alter or strip a protection (403 naming the line).
   * Admins may write anything LXC loads.
   */
  const checkPrivileges = async (name: string, before: string, after: string, role: TRole) => {
    if (role === "admin") return;
    const refused = await adminOnlyChanges(before, after, privilegeContext(name));
    if (refused.length === 0) return;
    throw new AppError("FORBIDDEN", {
      message: `Nothing was written: ${describePrivilegedChanges(refused)}`,
      hint: "Ask an admin to make this change; operators may keep such lines as an admin wrote them, not add or change them.",
      field: "raw",
      problems: refused.map((change) => ({
        line: change.line,
        severity: "error" as const,
        message: `${change.kind === "added" ? "Needs the admin role" : "Removing it needs the admin role"}: ${change.reason}`,
      })),
    });
  };

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

  const read = async (name: string) => {
    if (!(await lxc.exists(name))) throw lxc.notFound(name);
    const path = lxc.configPath(name);
    const raw = await readConfig(name);
    return { name, path, raw, version: versionOf(raw) };
  };

  /** Ours first; liblxc's parser has its say only on a candidate ours finds no error in. */
  const validate = async (raw: string): Promise<TConfigProblem[]> => {
    const problems = [...validateConfig(raw), ...(await hostPaths(raw))];
    if (problems.some((problem) => problem.severity === "error")) return problems;
    const verdict = await check(raw);
    if (verdict.isValid) return problems;
    return [
      ...problems,
      {
        line: verdict.line ?? 1,
        severity: "error" as const,
        message: `LXC refuses this config: ${verdict.message}`,
      },
    ].sort((a, b) => a.line - b.line);
  };

  /** The review before a save: our checks, liblxc's, and, for a non-admin, the lines their role may not write. */
  const preview = async (name: string, raw: string, role: TRole) => {
    const current = await read(name);
    const refused = await checkPrivileges(name, current.raw, raw, role).then(
      () => [],
      (error: unknown) => (error instanceof AppError ? (error.problems ?? []) : []),
    );
    // liblxc never loads a candidate the caller may not write (it would read the files it names).
    const problems = refused.length > 0 ? [...refused, ...validateConfig(raw)] : await validate(raw);
    return {
      version: current.version,
      problems: problems.sort((a, b) => a.line - b.line),
      diff: unifiedDiff(name, current.raw, raw),
      changes: changesBetween(current.raw, raw),
    };
  };

  const write = (input: {
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
  }) =>
    serially(input.name, async () => {
      const { name, raw } = input;
      const current = await read(name);
      if (current.version !== input.baseVersion) {
        throw new AppError("CONFLICT", {
          message: `The config of "${name}" changed since it was opened (here, by someone else, or outside Atelier)`,
          hint: "Reload it, then make your change again on the current version.",
          field: "baseVersion",
        });
      }
      await checkPrivileges(name, current.raw, raw, input.role);
      const problems = await validate(raw);
      const errors = problems.filter((problem) => problem.severity === "error");
      if (errors.length > 0) {
        const [first] = errors;
        throw new AppError("BAD_REQUEST", {
          message: `The config has ${errors.length} error${errors.length === 1 ? "" : "s"}; nothing was written. Line ${first?.line}: ${first?.message}`,
          field: "raw",
          problems,
        });
      }
      const diff = unifiedDiff(name, current.raw, raw);
      const changes = changesBetween(current.raw, raw);
      if (raw === current.raw) return { version: current.version, diff, changes, problems };

      // The file as Atelier first found it is kept, so that the first change can be undone too.
      if ((await db.configVersion.count({ where: { container: name } })) === 0) {
        await db.configVersion.create({
          data: {
            container: name,
            version: current.version,
            content: current.raw,
            author: "(on disk)",
            reason: "found",
          },
        });
      }
      await writeFile(name, raw, input.adminTicket);
      const version = versionOf(raw);
      await db.configVersion.create({
        data: { container: name, version, content: raw, author: input.actor, reason: input.reason },
      });

      const { state } = await containers.get(name);
      if (input.applyLive && (state === "RUNNING" || state === "FROZEN")) {
        for (const change of changes) {
          if (change.apply !== "live") continue;
          const file = liveFile(change.key) ?? "";
          const info = lookupKey(change.key);
          // Values that were added (a repeatable key), or the new value (a single one); a removal waits for a restart.
          const values = info?.repeatable
            ? change.after.filter((value) => !change.before.includes(value))
            : change.after.slice(-1);
          const isRemoval = info?.repeatable
            ? change.before.some((value) => !change.after.includes(value))
            : values.length === 0;
          if (isRemoval || values.length === 0) {
            change.applied = { ok: false, message: "A removed value applies at the next start" };
            continue;
          }
          try {
            for (const value of values) await lxc.setCgroup(name, file, value);
            change.applied = { ok: true };
          } catch (error) {
            change.applied = { ok: false, message: (error as Error).message };
          }
        }
      }
      return { version, diff, changes, problems };
    });

  /** An imported config as the new container's: its rootfs and hostname set to the container's own. */
  const importCandidate = (name: string, raw: string) =>
    LxcConfig.parse(raw)
      .set("lxc.rootfs.path", `dir:${path.join(path.dirname(lxc.configPath(name)), "rootfs")}`)
      .set("lxc.uts.name", name)
      .toString();

  /**
   * Before a container is made from an imported config (the "config" root filesystem provider): nothing is created
   * if it is invalid (400 with the problems) or holds a line the role may not write (403 naming it).
   */
  const checkImport = async (input: { name: string; raw: string; role: TRole }) => {
    const candidate = importCandidate(input.name, input.raw);
    // Our own checks say first what is wrong with the text (legacy keys to migrate: nothing runs for them); then the
    // lines the role may not write are refused (against the config new containers start from) before liblxc loads
    // the candidate, so that it never reads an include or path the caller may not name.
    const base = containerConfigText ? await containerConfigText() : "";
    const legacy = validateConfig(candidate).filter((problem) => problem.severity === "error");
    if (legacy.length === 0) await checkPrivileges(input.name, base, candidate, input.role);
    const errors = (await validate(candidate)).filter((problem) => problem.severity === "error");
    if (errors.length > 0) {
      throw new AppError("BAD_REQUEST", {
        message: `The imported config has ${errors.length} error${errors.length === 1 ? "" : "s"}; no container was created. Line ${errors[0]?.line}: ${errors[0]?.message}`,
        field: "raw",
        problems: errors,
      });
    }
    if (legacy.length > 0) await checkPrivileges(input.name, base, candidate, input.role);
  };

  /**
   * The imported config in place of the one the container was just made with, through the same write path (checked
   * again; for a non-admin, the template's protections kept).
   */
  const writeImport = async (input: {
    name: string;
    raw: string;
    actor: string;
    role: TRole;
    adminTicket?: string | undefined;
  }) => {
    let candidate = importCandidate(input.name, input.raw);
    const created = await read(input.name);
    if (input.role !== "admin") candidate = keepProtections(created.raw, candidate);
    return write({
      name: input.name,
      raw: candidate,
      baseVersion: created.version,
      actor: input.actor,
      role: input.role,
      adminTicket: input.adminTicket,
      applyLive: false,
      reason: "import",
    });
  };

  const history = async (name: string) => {
    const current = await read(name);
    const rows = await db.configVersion.findMany({
      where: { container: name },
      orderBy: { id: "desc" },
      select: { id: true, version: true, author: true, at: true, reason: true, content: true },
      take: 200,
    });
    return rows.map(({ content, ...row }) => ({
      ...row,
      lines: content.split("\n").length,
      isCurrent: row.version === current.version,
    }));
  };

  const versionContent = async (name: string, id: number) => {
    const row = await db.configVersion.findFirst({ where: { container: name, id } });
    if (!row) {
      throw new AppError("NOT_FOUND", {
        message: `There is no version ${id} of the config of "${name}"`,
        hint: "Pick a version from the history.",
        field: "id",
      });
    }
    return row;
  };

  return {
    read,
    /** The admin-only lines of a config, each with why (the views lock them for operators). */
    locks: (name: string, raw: string) => lockedLines(raw, privilegeContext(name)),
    validate,
    preview,
    save: (input: {
      name: string;
      raw: string;
      baseVersion: string;
      actor: string;
      role: TRole;
      adminTicket?: string | undefined;
      applyLive: boolean;
      reason?: "save" | "import";
    }) => write({ ...input, reason: input.reason ?? "save" }),
    history,
    versionContent,
    checkImport,
    writeImport,
    restore: async (input: {
      name: string;
      id: number;
      baseVersion: string;
      actor: string;
      role: TRole;
      adminTicket?: string | undefined;
      applyLive: boolean;
    }) => {
      const row = await versionContent(input.name, input.id);
      return write({ ...input, raw: row.content, reason: "restore" });
    },
    /** The container is gone: so is its config history. */
    forget: (name: string) => db.configVersion.deleteMany({ where: { container: name } }),
  };
};

export type TConfigService = ReturnType<typeof createConfigService>;
