import { chmod, lchown, lstat, stat } from "node:fs/promises";
import path from "node:path";
import { AppError, said } from "../../errors";
import { containerNotFound, createLxcDriver } from "../../lxc";
import { readContainerConfig, storageOf } from "../../rootfs/hostname";
import {
  IDMAPPED_ROOTFS,
  idMapsOf,
  idmapValues,
  mappedRoot,
  overlaps,
  slotRange,
  type TIdPool,
} from "../../schemas/idmap";
import type { THandlers } from "../contract/define";
import type { idmapContract } from "../contract/idmap";
import { idsInUse } from "../ids-in-use";
import { probeIdmappedMounts, type TIdmapSupport } from "../run/idmap-probe";
import { ensureRootSubids } from "../subids";

/**
 * The first directory from / down to the lxcpath that "others" may not search: liblxc checks, as the container's
 * root (a host id of the pool), that it can reach the lxcpath (start.c's access(X_OK)), and refuses to start
 * otherwise ("Could not access /root. Please grant it x access").
 */
export const lxcPathBlockedAt = async (lxcPath: string) => {
  const parts = path.resolve(lxcPath).split("/").filter(Boolean);
  for (let index = 0; index <= parts.length; index += 1) {
    const dir = `/${parts.slice(0, index).join("/")}`;
    const info = await stat(dir).catch(() => null);
    if (!info) return dir;
    if ((info.mode & 0o001) === 0) return dir;
  }
  return null;
};

const CONFIG_DIR = "/usr/share/lxc/config";
const COMMON_INCLUDE =
  /^[ \t]*lxc\.include[ \t]*=[ \t]*\/usr\/share\/lxc\/config\/([a-z-]+)\.common\.conf[ \t]*$/;
const USERNS_INCLUDE =
  /^[ \t]*lxc\.include[ \t]*=[ \t]*\/usr\/share\/lxc\/config\/([a-z-]+\.)?userns\.conf[ \t]*$/;

/**
 * A distribution's userns file (LXC's templates add `DISTRO.userns.conf` right after `DISTRO.common.conf` for an
 * unprivileged container: no device rules or dropped capabilities a user namespace makes moot, sysfs as the
 * namespace may mount it), inserted after the common include; a config without one (busybox) gets none.
 */
const withUsernsInclude = async (text: string) => {
  const lines = text.split("\n");
  if (lines.some((line) => USERNS_INCLUDE.test(line))) return text;
  const index = lines.findIndex((line) => COMMON_INCLUDE.test(line));
  const distro = index === -1 ? undefined : COMMON_INCLUDE.exec(lines[index] ?? "")?.[1];
  if (distro === undefined) return text;
  const file = path.join(CONFIG_DIR, `${distro}.userns.conf`);
  if (!(await stat(file).catch(() => null))?.isFile()) return text;
  lines.splice(index + 1, 0, `lxc.include = ${file}`);
  return lines.join("\n");
};

/** The config without its id maps, its idmapped rootfs option and the userns includes: a privileged one. */
const withoutIdmap = (text: string) =>
  text
    .split("\n")
    .filter(
      (line) =>
        !/^[ \t]*lxc\.(idmap|id_map)[ \t]*=/.test(line) &&
        !new RegExp(`^[ \\t]*lxc\\.rootfs\\.options[ \\t]*=[ \\t]*${IDMAPPED_ROOTFS}[ \\t]*$`).test(line) &&
        !USERNS_INCLUDE.test(line),
    )
    .join("\n");

/** The config with `range` as its id maps (in place of any it had) and its root filesystem mounted idmapped. */
const withIdmap = async (text: string, values: string[]) => {
  const lines = text.split("\n");
  const kept = lines.filter(
    (line) =>
      !/^[ \t]*lxc\.(idmap|id_map)[ \t]*=/.test(line) && !/^[ \t]*lxc\.rootfs\.options[ \t]*=/.test(line),
  );
  // The rootfs option next to the rootfs, the maps at the end (where LXC's own tools put them).
  const rootfsAt = kept.findIndex((line) => /^[ \t]*lxc\.rootfs\.path[ \t]*=/.test(line));
  kept.splice(rootfsAt === -1 ? kept.length : rootfsAt + 1, 0, `lxc.rootfs.options = ${IDMAPPED_ROOTFS}`);
  while (kept.length > 0 && kept.at(-1) === "") kept.pop();
  return withUsernsInclude([...kept, ...values.map((value) => `lxc.idmap = ${value}`), ""].join("\n"));
};

export const idmapOperations = ({
  lxcPath,
  hostRoot,
  idPool,
  writeConfig,
}: {
  lxcPath: string;
  hostRoot: string;
  idPool: TIdPool;
  /** config.write: the validated write path (our validation, the privilege rules with the ticket, liblxc's load). */
  writeConfig: (name: string, text: string, ticket: string | undefined) => Promise<unknown>;
}) => {
  const lxc = createLxcDriver({ lxcPath });
  // The kernel and the filesystem do not change while the helper runs: probed once.
  let probed: Promise<TIdmapSupport> | null = null;
  const support = () => (probed ??= probeIdmappedMounts(lxcPath));
  const configOf = (name: string) => path.join(lxcPath, name, "config");

  /** A stopped container with a directory for its root filesystem, its config read. */
  const stoppedWithDirectory = async (
    name: string,
    { allowOverlay = false }: { allowOverlay?: boolean } = {},
  ) => {
    if (!(await stat(configOf(name)).catch(() => null))?.isFile()) throw containerNotFound(lxcPath, name);
    const state = (await lxc.info(name)).state;
    if (state !== "STOPPED") throw new AppError("CONFLICT", said("idmapNeedsStopped", { name, state }));
    const config = await readContainerConfig(configOf(name));
    const storage = await storageOf(config.get("lxc.rootfs.path"));
    if (storage.kind !== "dir" && !(allowOverlay && storage.kind === "overlay"))
      throw new AppError("PRECONDITION_FAILED", {
        ...said("idmapNeedsDirectory", {
          name,
          storage: storage.kind === "overlay" ? "overlay" : storage.value,
        }),
      });
    return config;
  };

  /**
   * Through an idmapped mount, what container root makes is host root's on disk, a setuid-root program included: the
   * container's directory (its rootfs, its snapshots) is made root's alone (0700), so that no host user but root
   * reaches them. liblxc (root) opens the rootfs itself and hands the container the mount.
   */
  const closeContainerDir = async (name: string) => {
    const dir = path.join(lxcPath, name);
    const info = await lstat(dir);
    if (!info.isDirectory()) throw new AppError("PRECONDITION_FAILED", said("configFileOdd", { name }));
    // lxc-copy gives a copy's directory to its source's mapped root: back to root (the lxcpath is root's alone).
    if (info.uid !== 0 || info.gid !== 0) await lchown(dir, 0, 0);
    if ((info.mode & 0o077) !== 0) await chmod(dir, info.mode & 0o7700);
  };

  // One assignment at a time: a range is chosen and written before the next is chosen.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>) => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  return {
    status: async () => ({
      pool: idPool,
      subids: await ensureRootSubids(hostRoot, idPool, { dryRun: true }),
      idmappedRootfs: await support(),
      lxcPathBlockedAt: await lxcPathBlockedAt(lxcPath),
    }),
    /**
     * Makes a stopped container unprivileged, or moves one to a range of its own (a clone, which LXC gives its
     * source's map): the first range of the pool no other container maps, its root filesystem mounted idmapped
     * (liblxc's `lxc.rootfs.options = idmap=container`: no file rewritten, ownership kept as it is on disk), the
     * distribution's userns include, all written through config.write.
     */
    assign: ({ name, ticket }) =>
      serially(async () => {
        const config = await stoppedWithDirectory(name);
        const supported = await support();
        if (!supported.supported)
          throw new AppError(
            "PRECONDITION_FAILED",
            said("idmapUnsupported", { dir: lxcPath, why: supported.why ?? "" }),
          );
        const options = config.get("lxc.rootfs.options")?.trim();
        const maps = idMapsOf(config.entries());
        if (options !== undefined && options !== "" && options !== IDMAPPED_ROOTFS)
          throw new AppError("PRECONDITION_FAILED", said("idmapRootfsOptions", { name, options }));
        // A root filesystem whose owners were shifted by hand would show as nobody through a second map.
        if (maps.length > 0 && options !== IDMAPPED_ROOTFS)
          throw new AppError("PRECONDITION_FAILED", said("idmapShiftedRootfs", { name }));
        const used = await idsInUse(lxcPath, name);
        const slot = Array.from({ length: idPool.slots }, (_, index) => index).find(
          (index) => !used.some((use) => overlaps(use.range, slotRange(idPool, index))),
        );
        if (slot === undefined)
          throw new AppError("PRECONDITION_FAILED", said("idPoolFull", { ranges: idPool.slots }));
        const range = slotRange(idPool, slot);
        await writeConfig(name, await withIdmap(config.toString(), idmapValues(range)), ticket);
        await closeContainerDir(name);
        return { slot, first: range.first, count: range.count };
      }),
    /**
     * Makes a stopped unprivileged container privileged again: its maps, its idmapped rootfs option and userns
     * includes taken out through config.write, which takes that only with an admin's ticket (it removes a
     * protection). Only a container whose root filesystem is mounted idmapped: its files are as they were.
     */
    unassign: async ({ name, ticket }) => {
      // An admin's privileged snapshot clone (overlay) of an unprivileged container: only its config changes.
      const config = await stoppedWithDirectory(name, { allowOverlay: true });
      const maps = idMapsOf(config.entries());
      if (mappedRoot(maps) === null) throw new AppError("CONFLICT", said("alreadyPrivileged", { name }));
      if (config.get("lxc.rootfs.options")?.trim() !== IDMAPPED_ROOTFS)
        throw new AppError("PRECONDITION_FAILED", said("idmapShiftedRootfs", { name }));
      await writeConfig(name, withoutIdmap(config.toString()), ticket);
      return null;
    },
  } satisfies THandlers<typeof idmapContract>;
};
