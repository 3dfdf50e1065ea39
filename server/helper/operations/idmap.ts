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
  RANGE_SIZE,
  slotRange,
  type TIdMap,
  type TIdPool,
} from "../../schemas/idmap";
import { requireTicket } from "../admins";
import type { THandlerContext, THandlers } from "../contract/define";
import type { idmapContract, TIdmapMethod, TShiftSummary } from "../contract/idmap";
import type { TJobItem } from "../contract/jobs";
import { idsInUse } from "../ids-in-use";
import { shiftTree, type TIdShift } from "../shift";
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

/**
 * The config with `range` as its id maps (in place of any it had), its root filesystem mounted idmapped or (its
 * owners shifted) without that option.
 */
const withIdmap = async (text: string, values: string[], idmapped: boolean) => {
  const lines = text.split("\n");
  const kept = lines.filter(
    (line) =>
      !/^[ \t]*lxc\.(idmap|id_map)[ \t]*=/.test(line) && !/^[ \t]*lxc\.rootfs\.options[ \t]*=/.test(line),
  );
  // The rootfs option next to the rootfs, the maps at the end (where LXC's own tools put them).
  const rootfsAt = kept.findIndex((line) => /^[ \t]*lxc\.rootfs\.path[ \t]*=/.test(line));
  if (idmapped)
    kept.splice(rootfsAt === -1 ? kept.length : rootfsAt + 1, 0, `lxc.rootfs.options = ${IDMAPPED_ROOTFS}`);
  while (kept.length > 0 && kept.at(-1) === "") kept.pop();
  return withUsernsInclude([...kept, ...values.map((value) => `lxc.idmap = ${value}`), ""].join("\n"));
};

/**
 * The range a config's maps shift its root filesystem's owners into, when the maps are Atelier's shape (users and
 * groups 0..65535 onto one range of 65536) and the root filesystem's own directory is owned by that range's root:
 * then every owner was shifted by that map (by Atelier, or by LXC's template run in the namespace), and Atelier can
 * shift it again. Null otherwise: a map of another shape, or a tree whose owners say nothing of it.
 */
export const shiftedRangeOf = async (maps: readonly TIdMap[], rootfs: string) => {
  const root = mappedRoot(maps);
  if (root === null || root.uid !== root.gid) return null;
  if (!maps.every((map) => map.inside === 0 && map.count === RANGE_SIZE && map.host === root.uid))
    return null;
  const info = await lstat(rootfs).catch(() => null);
  if (!info?.isDirectory() || info.uid !== root.uid || info.gid !== root.gid) return null;
  return { first: root.uid, count: RANGE_SIZE };
};

type TEmit = THandlerContext<TJobItem>["emit"];

export const idmapOperations = ({
  lxcPath,
  hostRoot,
  stateDir,
  idPool,
  idmapMethod,
  writeConfig,
}: {
  lxcPath: string;
  hostRoot: string;
  /** The helper's own directory (admins' tickets). */
  stateDir: string;
  idPool: TIdPool;
  /** auto: idmapped where the host can, shifted elsewhere; shift: always shifted (ATELIER_IDMAP_METHOD). */
  idmapMethod: TIdmapMethod;
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
    return { config, rootfs: storage.kind === "dir" ? storage.path : null };
  };

  /**
   * The root filesystem a shift may rewrite: the container's own directory (`<lxcpath>/<name>/rootfs`), never
   * another an admin's config names (a host directory would be given to the container's ids).
   */
  const ownRootfs = (name: string, rootfs: string | null) => {
    const own = path.join(lxcPath, name, "rootfs");
    if (rootfs === null || path.resolve(rootfs) !== own)
      throw new AppError("PRECONDITION_FAILED", said("shiftOnlyOwnRootfs", { path: rootfs ?? "", own }));
    return own;
  };

  /**
   * Shifts the owners of a container's root filesystem, progress as lines (`shift: DONE/TOTAL names`, at most one
   * a second, none queued behind a slow reader). A shift that fails or is cancelled half way is undone (the
   * reverse shift leaves what was not shifted yet as it is), whatever the signal says, before the error goes on.
   */
  const shiftRootfs = async (
    rootfs: string,
    shift: TIdShift,
    context: { signal: AbortSignal; emit: TEmit },
  ): Promise<TShiftSummary> => {
    const sending: { current: Promise<void> | null } = { current: null };
    const say = (line: string) => {
      if (sending.current) return;
      sending.current = context
        .emit({ line, stream: "stdout" })
        .catch(() => undefined)
        .finally(() => {
          sending.current = null;
        });
    };
    say(
      `shift: owners ${shift.from}-${shift.from + shift.count - 1} to ${shift.to}-${shift.to + shift.count - 1}`,
    );
    try {
      const result = await shiftTree(rootfs, shift, {
        signal: context.signal,
        progressEveryMs: 1000,
        onProgress: (done, total) => say(`shift: ${done}/${total} names`),
      });
      await sending.current;
      await context.emit({
        line: `shift: ${result.entries} names, ${result.shifted} changed, ${result.outside.count} outside the map, ${result.durationMs} ms`,
        stream: "stdout",
      });
      for (const line of result.notShifted.slice(0, 20))
        await context.emit({ line: `shift: ${line}`.slice(0, 8000), stream: "stderr" });
      return {
        from: shift.from,
        to: shift.to,
        ...result,
        outside: {
          count: result.outside.count,
          sample: result.outside.sample.map((entry) => entry.slice(0, 4200)),
        },
        otherMounts: result.otherMounts.slice(0, 100).map((entry) => entry.slice(0, 4200)),
        notShifted: result.notShifted.slice(0, 100).map((entry) => entry.slice(0, 8200)),
      };
    } catch (error) {
      await sending.current;
      await shiftTree(rootfs, { from: shift.to, to: shift.from, count: shift.count });
      throw error;
    }
  };

  /** The container's directory given to its mapped root (0770): liblxc reaches a shifted rootfs as that user. */
  const openContainerDir = async (name: string, root: number) => {
    const dir = path.join(lxcPath, name);
    const info = await lstat(dir);
    if (!info.isDirectory()) throw new AppError("PRECONDITION_FAILED", said("configFileOdd", { name }));
    await lchown(dir, root, root);
    await chmod(dir, 0o770);
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
  // Slots chosen for a shift still running (its config is written at its end): no other assignment takes them.
  const reserved = new Set<number>();
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
      method: idmapMethod,
      lxcPathBlockedAt: await lxcPathBlockedAt(lxcPath),
    }),
    /**
     * Makes a stopped container unprivileged, or moves one to a range of its own (a clone, which LXC gives its
     * source's map): the first range of the pool no other container maps, the distribution's userns include, all
     * written through config.write. Its files are seen through the map either by its root filesystem mounted
     * idmapped (liblxc's `lxc.rootfs.options = idmap=container`: no file rewritten, owners kept on disk as for a
     * privileged container) where the kernel and filesystem can and ATELIER_IDMAP_METHOD is auto, or by their owners
     * shifted into the range (server/helper/shift.ts; the container's directory then its mapped root's, 0770, for
     * liblxc to reach the rootfs as that user). A shifted tree stays shifted (a clone's, from its source's range to
     * its own); one whose owners say nothing of its map is refused.
     */
    assign: async ({ name, ticket }, context) => {
      const plan = await serially(async () => {
        const { config, rootfs } = await stoppedWithDirectory(name);
        const options = config.get("lxc.rootfs.options")?.trim();
        const maps = idMapsOf(config.entries());
        if (options !== undefined && options !== "" && options !== IDMAPPED_ROOTFS)
          throw new AppError("PRECONDITION_FAILED", said("idmapRootfsOptions", { name, options }));
        // Where its owners are on disk now: 0-based (privileged, or mounted idmapped), or the range they were
        // shifted to. A map whose owners on disk say nothing of it: Atelier cannot tell what a shift would do.
        const shiftedFrom =
          maps.length > 0 && options !== IDMAPPED_ROOTFS && rootfs !== null
            ? await shiftedRangeOf(maps, rootfs)
            : null;
        if (maps.length > 0 && options !== IDMAPPED_ROOTFS && shiftedFrom === null)
          throw new AppError("PRECONDITION_FAILED", said("idmapShiftedRootfs", { name }));
        const supported = await support();
        const method =
          shiftedFrom !== null || idmapMethod === "shift" || !supported.supported ? "shifted" : "idmapped";
        const used = await idsInUse(lxcPath, name);
        const slot = Array.from({ length: idPool.slots }, (_, index) => index).find(
          (index) =>
            !reserved.has(index) && !used.some((use) => overlaps(use.range, slotRange(idPool, index))),
        );
        if (slot === undefined)
          throw new AppError("PRECONDITION_FAILED", said("idPoolFull", { ranges: idPool.slots }));
        reserved.add(slot);
        return { config, rootfs, slot, method, from: shiftedFrom?.first ?? 0 } as const;
      });
      const range = slotRange(idPool, plan.slot);
      try {
        if (plan.method === "idmapped") {
          await writeConfig(name, await withIdmap(plan.config.toString(), idmapValues(range), true), ticket);
          await closeContainerDir(name);
          return {
            slot: plan.slot,
            first: range.first,
            count: range.count,
            method: plan.method,
            shift: null,
          };
        }
        const rootfs = ownRootfs(name, plan.rootfs);
        const shift = { from: plan.from, to: range.first, count: RANGE_SIZE };
        const summary = await shiftRootfs(rootfs, shift, context);
        try {
          await writeConfig(name, await withIdmap(plan.config.toString(), idmapValues(range), false), ticket);
        } catch (error) {
          await shiftTree(rootfs, { from: shift.to, to: shift.from, count: shift.count });
          throw error;
        }
        await openContainerDir(name, range.first);
        return {
          slot: plan.slot,
          first: range.first,
          count: range.count,
          method: plan.method,
          shift: summary,
        };
      } finally {
        reserved.delete(plan.slot);
      }
    },
    /**
     * Makes a stopped unprivileged container privileged again: its maps, its idmapped rootfs option and userns
     * includes taken out through config.write, which takes that only with an admin's ticket (it removes a
     * protection). A root filesystem mounted idmapped has its files as they were (an overlay snapshot clone's
     * too: only its config changes); one Atelier shifted (its owners in its range, see shiftedRangeOf: a directory
     * of the container's own) is shifted back to 0 first, the ticket checked before.
     */
    unassign: async ({ name, ticket }, context) => {
      // An admin's privileged snapshot clone (overlay) of an unprivileged container: only its config changes.
      const { config, rootfs } = await stoppedWithDirectory(name, { allowOverlay: true });
      const maps = idMapsOf(config.entries());
      if (mappedRoot(maps) === null) throw new AppError("CONFLICT", said("alreadyPrivileged", { name }));
      if (config.get("lxc.rootfs.options")?.trim() === IDMAPPED_ROOTFS) {
        await writeConfig(name, withoutIdmap(config.toString()), ticket);
        return { shift: null };
      }
      // An overlay's lower layer is another container's: its owners are not Atelier's to shift back.
      const shiftedFrom = rootfs === null ? null : await shiftedRangeOf(maps, rootfs);
      if (shiftedFrom === null)
        throw new AppError("PRECONDITION_FAILED", said("idmapShiftedRootfs", { name }));
      // Rewriting every owner is asked on an admin's ticket only: checked before, not by the write after it.
      await requireTicket(stateDir, ticket, { action: "privilegedContainer", name });
      const own = ownRootfs(name, rootfs);
      const shift = { from: shiftedFrom.first, to: 0, count: RANGE_SIZE };
      const summary = await shiftRootfs(own, shift, context);
      try {
        await writeConfig(name, withoutIdmap(config.toString()), ticket);
      } catch (error) {
        await shiftTree(own, { from: shift.to, to: shift.from, count: shift.count });
        throw error;
      }
      await closeContainerDir(name);
      return { shift: summary };
    },
  } satisfies THandlers<typeof idmapContract>;
};
