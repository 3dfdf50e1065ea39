import path from "node:path";
import type { TRole } from "../auth/roles";
import { AppError, said } from "../errors";
import type { TLxcDriver } from "../helper-client/lxc";
import { LxcConfig } from "../schemas/lxc-config/model";
import { PROTECTIVE_KEYS } from "../schemas/lxc-config/privileges";
import { validateConfig } from "../schemas/lxc-config/validate";
import type { TConfigChecks } from "./checks";
import type { TReadConfig } from "./read";
import type { TConfigWrite } from "./save";

/**
 * A container made from an imported config (the "config" root filesystem provider): the text checked before the
 * container is made, then written in place of the config it was made with, through the save's own path.
 */
export type TConfigImportOptions = {
  lxc: Pick<TLxcDriver, "configPath">;
  checks: Pick<TConfigChecks, "checkPrivileges" | "validate">;
  read: TReadConfig;
  write: TConfigWrite;
  /** The config new containers start from (ATELIER_CONTAINER_CONFIG), for checking an import before it is made. */
  containerConfigText?: (() => Promise<string>) | undefined;
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

export const createConfigImport = ({
  lxc,
  checks,
  read,
  write,
  containerConfigText,
}: TConfigImportOptions) => {
  /** An imported config as the new container's: its rootfs and hostname set to the container's own. */
  const importCandidate = (name: string, raw: string) =>
    LxcConfig.parse(raw)
      .set("lxc.rootfs.path", `dir:${path.join(path.dirname(lxc.configPath(name)), "rootfs")}`)
      .set("lxc.uts.name", name)
      .toString();

  /**
   * Before a container is made from an imported config: nothing is created if it is invalid (400 with the problems)
   * or holds a line the role may not write (403 naming it).
   */
  const checkImport = async (input: { name: string; raw: string; role: TRole }) => {
    const candidate = importCandidate(input.name, input.raw);
    // Our own checks say first what is wrong with the text (legacy keys to migrate: nothing runs for them); then the
    // lines the role may not write are refused (against the config new containers start from) before liblxc loads
    // the candidate, so that it never reads an include or path the caller may not name.
    const base = containerConfigText ? await containerConfigText() : "";
    const legacy = validateConfig(candidate).filter((problem) => problem.severity === "error");
    if (legacy.length === 0) await checks.checkPrivileges(input.name, base, candidate, input.role);
    const errors = (await checks.validate(candidate)).filter((problem) => problem.severity === "error");
    if (errors.length > 0) {
      throw new AppError("BAD_REQUEST", {
        ...said("importedConfigHasErrors", {
          count: errors.length,
          line: errors[0]?.line ?? 0,
          problem: errors[0]?.message ?? "",
        }),
        field: "raw",
        problems: errors,
      });
    }
    if (legacy.length > 0) await checks.checkPrivileges(input.name, base, candidate, input.role);
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

  return { checkImport, writeImport };
};
