import { constants } from "node:fs";
import { chmod, mkdir, open, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { AppError } from "../../errors";
import { containerNotFound } from "../../lxc";
import { ZContainerName } from "../../schemas/container-name";
import { adminOnlyChanges } from "../../lxc-config/admin-only";
import { checkHostPaths } from "../host-paths";
import { describePrivilegedChanges } from "../../schemas/lxc-config/privileges";
import { validateConfig } from "../../schemas/lxc-config/validate";
import { checkTicket, requireTicket } from "../admins";
import type { TBeingMade } from "../being-made";
import { writeAtomically } from "../write-atomically";
import { writeGuestFiles } from "../../rootfs/guest-files";
import { nestedBindSources } from "../bind-nesting";
import { networkTaken } from "../network-in-use";
import { defineOperation } from "../operation";
import { readHostNetwork } from "./reads";
import { liblxcVerdict } from "./lxc";

/**
 * Writes in the lxcpath and the template cache, as typed operations: a container's config (atomically), the files
 * provisioning puts in a root filesystem (through the rootfs module), a tarball container's directories and config,
 * and the removal of what a failed creation or the cache's user left. Paths are computed here from container names
 * and fixed entries; none comes from the caller.
 *
 * Every config the helper writes is judged here, whatever the web tier checked: config.write takes a text only if
 * our validation finds no error in it (unknown keys included), its admin-only lines come with an admin's ticket, and
 * liblxc loads it; tarball.writeConfig writes fixed text only (the admin's default config, LXC's common config, the
 * container's paths and a comment that cannot hold a line break).
 */
const MAX_CONFIG = 256 * 1024;
/** Control characters: liblxc ends a line at \n, \r and NUL, so none of them may reach a comment it writes. */
const CONTROL = /\p{Cc}/gu;
const ZCacheEntry = z.string().regex(/^(rootfs|partial)-[a-z]+-[a-z0-9]+$/, "not a cache entry");

export const fileOperations = ({
  lxcPath,
  containerConfig,
  cacheDir,
  stateDir,
  bindRoots,
  beingMade,
}: {
  lxcPath: string;
  containerConfig?: string;
  cacheDir: string;
  stateDir: string;
  /** Where operators may bind-mount from (ATELIER_BIND_ROOTS): the same rule as the web tier's check. */
  bindRoots: readonly string[];
  /** The containers the helper is making (rootfs.prepare needs no ticket for them). */
  beingMade: TBeingMade;
}) => {
  const dirOf = (name: string) => path.join(lxcPath, name);
  const hasConfig = async (name: string) =>
    (await stat(path.join(dirOf(name), "config")).catch(() => null))?.isFile() ?? false;
  const mustExist = async (name: string) => {
    if (!(await hasConfig(name))) throw containerNotFound(lxcPath, name);
  };
  const ZName = z.object({ name: ZContainerName }).strict();
  const readConfig = async (file: string) => {
    const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const info = await handle.stat();
      if (!info.isFile() || info.size > MAX_CONFIG * 4)
        throw new AppError("PRECONDITION_FAILED", {
          message: `${path.basename(path.dirname(file))}'s config is not a regular file of a config's size`,
        });
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

  return {
    /**
     * The config file, replaced atomically (old or new content, never a mix), its mode and owner kept, once the
     * whole text passed the checks the web tier runs, made again here: our validation (an error, such as an unknown
     * key or a legacy one, refuses), the privilege rules against the file on disk (an admin-only line added or
     * changed, or a protection removed, as the web tier's own check finds them, is taken only with the ticket of an
     * admin the helper knows: ./admins.ts), then liblxc's own load (lxc.checkConfig's verdict). Whatever role the
     * web tier claims, a config.write without a ticket writes nothing an operator could not.
     */
    "config.write": defineOperation({
      input: z
        .object({
          name: ZContainerName,
          text: z.string().max(MAX_CONFIG),
          ticket: z.string().max(4096).optional(),
        })
        .strict(),
      run: ({ name, text, ticket }) =>
        serially(name, async () => {
          await mustExist(name);
          const errors = validateConfig(text).filter((problem) => problem.severity === "error");
          const [first] = errors;
          if (first)
            throw new AppError("BAD_REQUEST", {
              message: `Nothing was written: the config has ${errors.length} error${errors.length === 1 ? "" : "s"}. Line ${first.line}: ${first.message}`,
              field: "text",
              problems: errors,
            });
          const file = path.join(dirOf(name), "config");
          const current = await readConfig(file);
          // Before liblxc loads it: the files an include names are read only once the lines are allowed.
          const changes = [
            ...(await adminOnlyChanges(current, text, { lxcPath, name, bindRoots })),
            ...(await networkTaken(lxcPath, name, current, text, readHostNetwork)),
            ...(await nestedBindSources(lxcPath, name, current, text, bindRoots)),
          ];
          if (changes.length > 0) {
            const check = await checkTicket(stateDir, ticket);
            if (check.admin === null)
              throw new AppError("FORBIDDEN", {
                message: `${describePrivilegedChanges(changes)}: the helper takes this only from an admin it knows, signed in with their password (${check.problem})`,
                hint: "Sign in again as an admin with your password (or use a token made from such a session, or by root with `atelier token create`), or ask an admin to make this change.",
              });
          }
          const verdict = await liblxcVerdict(text);
          if (!verdict.isValid)
            throw new AppError("BAD_REQUEST", {
              message: `Nothing was written: LXC refuses this config${verdict.line === null ? "" : ` (line ${verdict.line})`}: ${verdict.message}`,
              field: "text",
              problems: [{ line: verdict.line ?? 1, severity: "error", message: verdict.message }],
            });
          await writeAtomically(file, text);
        }),
    }),
    /** The config file as it is (a regular file, never followed through a link), for the editor. */
    "config.read": defineOperation({
      input: ZName,
      run: async ({ name }) => {
        await mustExist(name);
        return { text: await readConfig(path.join(dirOf(name), "config")) };
      },
    }),
    /** Warnings for the host paths a candidate config names (rootfs, fstab) that are not there. */
    "config.hostPaths": defineOperation({
      input: z.object({ text: z.string().max(MAX_CONFIG) }).strict(),
      run: ({ text }) => checkHostPaths(text),
    }),
    /**
     * The files provisioning puts in a new container's root filesystem (../../rootfs/guest-files.ts). Into a container
     * the helper is making (./being-made.ts), as the provisioner's last step; into any other container only with an
     * admin's ticket (a root password or an SSH key written into someone's existing container is a takeover).
     */
    "rootfs.prepare": defineOperation({
      input: z
        .object({
          name: ZContainerName,
          ticket: z.string().max(4096).optional(),
          busyboxInit: z.boolean(),
          network: z.enum(["static", "dhcp"]).nullable(),
          rootPassword: z.string().min(1).max(1024).optional(),
          sshKey: z
            .string()
            .min(1)
            .max(16 * 1024)
            .optional(),
        })
        .strict(),
      run: async ({ name, ticket, ...files }) => {
        await mustExist(name);
        if (!beingMade.has(name))
          await requireTicket(
            stateDir,
            ticket,
            `Writing into the root filesystem of "${name}" (not a container the helper is making)`,
          );
        await writeGuestFiles(lxcPath, name, files);
        beingMade.clear(name);
      },
    }),
    /** A tarball container's directories, with LXC's modes: the container's 0770, its rootfs 0755. */
    "tarball.prepare": defineOperation({
      input: ZName,
      run: async ({ name }) => {
        const dir = dirOf(name);
        if (await stat(dir).catch(() => null))
          throw new AppError("CONFLICT", { message: `${dir} already exists`, field: "name" });
        await mkdir(dir, { mode: 0o770 });
        await chmod(dir, 0o770);
        await mkdir(path.join(dir, "rootfs"), { mode: 0o755 });
        await chmod(path.join(dir, "rootfs"), 0o755);
        beingMade.mark(name);
      },
    }),
    /** The config of a container unpacked from a tarball: LXC's common config, the host's defaults, its rootfs. */
    "tarball.writeConfig": defineOperation({
      input: z.object({ name: ZContainerName, source: z.string().max(4096) }).strict(),
      run: async ({ name, source }) => {
        const dir = dirOf(name);
        if (!(await stat(path.join(dir, "rootfs")).catch(() => null))?.isDirectory())
          throw containerNotFound(lxcPath, name);
        // Only for a container being made: an existing config is never replaced this way.
        if (await hasConfig(name))
          throw new AppError("CONFLICT", { message: `"${name}" already has a config`, field: "name" });
        const base = containerConfig ? await readFile(containerConfig, "utf8").catch(() => "") : "";
        const common = "/usr/share/lxc/config/common.conf";
        const hasCommon = (await stat(common).catch(() => null)) !== null;
        await writeFile(
          path.join(dir, "config"),
          [
            // The one part of the caller's: a comment, with nothing that could end its line for liblxc.
            `# Made by Atelier from ${source.replace(CONTROL, "")}`,
            ...(hasCommon ? [`lxc.include = ${common}`] : []),
            base.trim(),
            `lxc.rootfs.path = dir:${path.join(dir, "rootfs")}`,
            `lxc.uts.name = ${name}`,
            "",
          ]
            .filter((line) => line !== "")
            .join("\n")
            .concat("\n"),
          { mode: 0o640 },
        );
      },
    }),
    "cache.remove": defineOperation({
      input: z.object({ entry: ZCacheEntry }).strict(),
      run: async ({ entry }) => {
        const target = path.join(cacheDir, "debian", entry);
        if (!(await stat(target).catch(() => null)))
          throw new AppError("NOT_FOUND", { message: `The cache has no ${entry}` });
        await rm(target, { recursive: true, force: true });
      },
    }),
    /** The debian template's partial downloads (left when it is killed). */
    "cache.removePartials": defineOperation({
      input: z.object({}).strict(),
      run: async () => {
        const dir = path.join(cacheDir, "debian");
        for (const entry of await readdir(dir).catch(() => [] as string[]))
          if (/^partial-[a-z]+-[a-z0-9]+$/.test(entry))
            await rm(path.join(dir, entry), { recursive: true, force: true });
      },
    }),
  };
};
