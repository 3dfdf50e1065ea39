import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { AppError } from "../../errors";
import { containerNotFound } from "../../lxc";
import { ZContainerName } from "../../schemas/container-name";
import { requireTicket } from "../admins";
import type { TBeingMade } from "../being-made";
import { writeGuestFiles } from "../../rootfs/guest-files";
import { defineOperation } from "../operation";

/**
 * Writes in the lxcpath and the template cache, as typed operations: the files provisioning puts in a root
 * filesystem (through the rootfs module), a tarball container's directories and config, and the removal of what a
 * failed creation or the cache's user left. Paths are computed here from container names and fixed entries; none
 * comes from the caller. (A container's config file: ./config.ts.)
 *
 * tarball.writeConfig writes fixed text only (the admin's default config, LXC's common config, the container's
 * paths and a comment that cannot hold a line break).
 */
/** Control characters: liblxc ends a line at \n, \r and NUL, so none of them may reach a comment it writes. */
const CONTROL = /\p{Cc}/gu;
const ZCacheEntry = z.string().regex(/^(rootfs|partial)-[a-z]+-[a-z0-9]+$/, "not a cache entry");

export const fileOperations = ({
  lxcPath,
  containerConfig,
  cacheDir,
  stateDir,
  beingMade,
}: {
  lxcPath: string;
  containerConfig?: string;
  cacheDir: string;
  stateDir: string;
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

  return {
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
