import { constants } from "node:fs";
import { open, stat } from "node:fs/promises";
import path from "node:path";
import { AppError, said } from "../../errors";
import { containerNotFound } from "../../lxc";
import { adminOnlyChanges, privilegedChangeWords } from "../../lxc-config/admin-only";
import { checkHostPaths } from "../host-paths";
import { writeAtomically } from "../write-atomically";
import { validateConfig } from "../../schemas/lxc-config/validate";
import { checkTicket } from "../admins";
import { nestedBindSources } from "../bind-nesting";
import { MAX_CONFIG_BYTES, type configContract } from "../contract/config";
import type { THandlers } from "../contract/define";
import { readHostNetwork } from "../network/read";
import { networkTaken } from "../network-in-use";
import { idsTaken } from "../ids-in-use";
import type { TIdPool } from "../../schemas/idmap";
import { liblxcVerdict } from "./lxc";

/**
 * A container's config file in the lxcpath (the contract: ../contract/config.ts). Every config the helper writes is
 * judged here, whatever the web tier checked: config.write takes a text only if our validation finds no error in it
 * (unknown keys included), its admin-only lines come with an admin's ticket, and liblxc loads it.
 */
export const configOperations = ({
  lxcPath,
  stateDir,
  bindRoots,
  idPool,
}: {
  lxcPath: string;
  stateDir: string;
  /** Where operators may bind-mount from (ATELIER_BIND_ROOTS): the same rule as the web tier's check. */
  bindRoots: readonly string[];
  /** Atelier's pool of host ids: an operator's new id maps stay inside it, off other containers' ranges. */
  idPool: TIdPool;
}) => {
  const fileOf = (name: string) => path.join(lxcPath, name, "config");
  const mustExist = async (name: string) => {
    if (!(await stat(fileOf(name)).catch(() => null))?.isFile()) throw containerNotFound(lxcPath, name);
  };
  /** A regular file, never followed through a link, of a config's size. */
  const readConfig = async (file: string) => {
    const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const info = await handle.stat();
      if (!info.isFile() || info.size > MAX_CONFIG_BYTES * 4)
        throw new AppError(
          "PRECONDITION_FAILED",
          said("configFileOdd", { name: path.basename(path.dirname(file)) }),
        );
      return await handle.readFile("utf8");
    } finally {
      await handle.close();
    }
  };
  const writes = new Map<string, Promise<unknown>>();
  /** One config.write per container at a time: each is judged against the file it replaces. */
  const serially = <T>(name: string, work: () => Promise<T>) => {
    const next = (writes.get(name) ?? Promise.resolve()).then(work, work);
    const settled = next.catch(() => undefined);
    writes.set(name, settled);
    void settled.then(() => {
      if (writes.get(name) === settled) writes.delete(name);
    });
    return next;
  };

  /**
   * Writes whose text maps ids run one at a time across containers: the check that a range is no other container's
   * (idsTaken) and the write that takes it are one step, so two containers cannot both take one range.
   */
  let idsChain: Promise<unknown> = Promise.resolve();
  const underIdsLock = <T>(mapsIds: boolean, work: () => Promise<T>) => {
    if (!mapsIds) return work();
    const next = idsChain.then(work, work);
    idsChain = next.catch(() => undefined);
    return next;
  };

  return {
    /** The config file as it is, for the editor. */
    read: async ({ name }) => {
      await mustExist(name);
      // Destroyed between the two: not found, as it would have been a moment later (not the helper's failure).
      const text = await readConfig(fileOf(name)).catch((error: NodeJS.ErrnoException) => {
        throw error.code === "ENOENT" ? containerNotFound(lxcPath, name) : error;
      });
      return { text };
    },
    /**
     * The config file, replaced atomically (old or new content, never a mix), its mode and owner kept, once the
     * whole text passed the checks the web tier runs, made again here: our validation (an error, such as an unknown
     * key or a legacy one, refuses), the privilege rules against the file on disk (an admin-only line added or
     * changed, or a protection removed, as the web tier's own check finds them, is taken only with the ticket of an
     * admin the helper knows: ../admins.ts), then liblxc's own load (lxc.checkConfig's verdict). Whatever role the
     * web tier claims, a config.write without a ticket writes nothing an operator could not.
     */
    write: ({ name, text, ticket }, { signal }) =>
      serially(name, () =>
        underIdsLock(/^[ \t]*lxc\.idmap[ \t]*=/m.test(text), async () => {
          await mustExist(name);
          const errors = validateConfig(text).filter((problem) => problem.severity === "error");
          const [first] = errors;
          if (first)
            throw new AppError("BAD_REQUEST", {
              ...said("helperConfigHasErrors", {
                count: errors.length,
                line: first.line,
                problem: first.message,
              }),
              field: "text",
              problems: errors,
            });
          const file = fileOf(name);
          const current = await readConfig(file);
          // Before liblxc loads it: the files an include names are read only once the lines are allowed.
          const changes = [
            ...(await adminOnlyChanges(current, text, { lxcPath, name, bindRoots })),
            ...(await networkTaken(lxcPath, name, current, text, readHostNetwork)),
            ...(await nestedBindSources(lxcPath, name, current, text, bindRoots)),
            ...(await idsTaken(lxcPath, name, current, text, idPool)),
          ];
          if (changes.length > 0) {
            const check = await checkTicket(stateDir, ticket);
            if (check.admin === null) {
              const { kind, params } = privilegedChangeWords(changes);
              throw new AppError(
                "FORBIDDEN",
                said("configNeedsAdminTicket", { kind, ...params, ...check.why }),
              );
            }
          }
          const verdict = await liblxcVerdict(text);
          if (!verdict.isValid)
            throw new AppError("BAD_REQUEST", {
              ...(verdict.line === null
                ? said("liblxcRefuses", { problem: verdict.message })
                : said("liblxcRefusesLine", { line: verdict.line, problem: verdict.message })),
              field: "text",
              problems: [
                {
                  line: verdict.line ?? 1,
                  severity: "error",
                  message: `LXC refuses this config: ${verdict.message}`,
                },
              ],
            });
          // Past its time (or cancelled) before the write: nothing is written, so the caller's TIMEOUT is true.
          if (signal.aborted) throw new AppError("TIMEOUT", said("configWriteTooLong"));
          await writeAtomically(file, text);
          return null;
        }),
      ),
    /** Warnings for the host paths a candidate config names (rootfs, fstab) that are not there. */
    hostPaths: ({ text }) => checkHostPaths(text),
  } satisfies THandlers<typeof configContract>;
};
