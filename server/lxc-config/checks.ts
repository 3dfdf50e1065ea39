import path from "node:path";
import type { TRole } from "../auth/roles";
import { AppError, said } from "../errors";
import { worded } from "../i18n/validation-words";
import type { TLxcDriver } from "../helper-client/lxc";
import type { TConfigVerdict } from "../helper/contract/lxc";
import { lockedLines, type TPrivilegeContext } from "../schemas/lxc-config/privileges";
import { validateConfig, type TConfigProblem } from "../schemas/lxc-config/validate";
import { adminOnlyChanges, privilegedChangeWords } from "./admin-only";

/**
 * What a candidate config is judged by before anything is written: the lines the writer's role may not write, our
 * validation, the host paths it names, and liblxc's own parser. The save, its preview and an import all ask here.
 */
export type TConfigChecksOptions = {
  lxc: Pick<TLxcDriver, "configPath">;
  /** liblxc's verdict on a candidate (in the helper: lxc.checkConfig). */
  check: (text: string) => Promise<TConfigVerdict>;
  /** Warnings for host paths the config names that do not exist (in the helper: config.hostPaths). */
  hostPaths: (text: string) => Promise<TConfigProblem[]>;
  /** Host directories operators may bind-mount from (ATELIER_BIND_ROOTS). */
  bindRoots?: readonly string[];
};

export const createConfigChecks = ({ lxc, check, hostPaths, bindRoots = [] }: TConfigChecksOptions) => {
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
    const { kind, params } = privilegedChangeWords(refused);
    throw new AppError("FORBIDDEN", {
      ...said(kind === "added" ? "configLineNeedsAdmin" : "configRemovalNeedsAdmin", params),
      field: "raw",
      problems: refused.map((change) => ({
        line: change.line,
        severity: "error" as const,
        ...worded(
          change.kind === "added" ? "validation.lint.needsAdmin" : "validation.lint.removalNeedsAdmin",
          {
            reason: change.reasonWords ?? change.reason,
          },
        ),
      })),
    });
  };

  /** Our validation and the host paths' warnings: what a candidate is judged by before liblxc loads it. */
  const ownProblems = async (raw: string): Promise<TConfigProblem[]> => [
    ...validateConfig(raw),
    ...(await hostPaths(raw)),
  ];

  /** liblxc's refusal of a candidate, as a problem on the line it names (line 1 if none); null if it loads. */
  const liblxcProblem = async (raw: string): Promise<TConfigProblem | null> => {
    const verdict = await check(raw);
    if (verdict.isValid) return null;
    return {
      line: verdict.line ?? 1,
      severity: "error",
      ...worded("validation.lint.liblxcRefuses", { message: verdict.message }),
    };
  };

  /** Ours first; liblxc's parser has its say only on a candidate ours finds no error in. */
  const validate = async (raw: string): Promise<TConfigProblem[]> => {
    const problems = await ownProblems(raw);
    if (problems.some((problem) => problem.severity === "error")) return problems;
    const refusal = await liblxcProblem(raw);
    return refusal ? [...problems, refusal].sort((a, b) => a.line - b.line) : problems;
  };

  return {
    checkPrivileges,
    ownProblems,
    liblxcProblem,
    validate,
    /** The admin-only lines of a config, each with why (the views lock them for operators). */
    locks: (name: string, raw: string) => lockedLines(raw, privilegeContext(name)),
  };
};

export type TConfigChecks = ReturnType<typeof createConfigChecks>;
