import { mkdtemp, readdir, realpath, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { AppError, said } from "../../errors";
import { containerNotFound } from "../../lxc";
import { checkTarMembers } from "../tar-listing";
import {
  hasDependents,
  readContainerConfig,
  restoreHostnameRisk,
  setGuestHostname,
  snapshotsDirOf,
  storageOf,
} from "../../rootfs/hostname";
import { openRootfs } from "../../rootfs";
import { closeIdmappedContainerDir } from "../container-dir";
import { idsTaken } from "../ids-in-use";
import { DEFAULT_IDMAP_POOL, parseIdPool, type TIdPool } from "../../schemas/idmap";
import { hasIsolatedIdMap } from "../../schemas/lxc-config/privileges";
import { refuseCloneHookProblem } from "../../rootfs/clone-hooks";
import { adminOnlyChanges, privilegedChangeWords } from "../../lxc-config/admin-only";
import { LxcConfig } from "../../schemas/lxc-config/model";
import { requireTicket } from "../admins";
import type { TBeingMade } from "../being-made";
import { settleGroups } from "../commands";
import type { THandlerContext, THandlers } from "../contract/define";
import {
  WIRE_OUTPUT_CHARS,
  WIRE_SETUID_MEMBERS,
  type jobsContract,
  type TCommandResult,
  type TJobItem,
} from "../contract/jobs";
import type { TOperationContext } from "../operation";
import { createDebian } from "../run/debootstrap";
import {
  copyContainer,
  restoreSnapshotAsNew,
  restoreSnapshotInPlace,
  snapshotContainer,
} from "../run/lxc-jobs";
import { extractArchive, listArchive } from "../run/tar";

/**
 * The long commands of jobs (the contract: ../contract/jobs.ts), each run by the runner's typed modules (../run/:
 * debootstrap, lxc-jobs, tar) in a process group of its own, its lines streamed as the call's items and its whole
 * group killed when the call is cancelled. Tarballs are read only inside the import directories, checked here, and
 * unpacked only into a container being made; their setuid and setgid bits are stripped here unless an admin's
 * ticket keeps them. A creation that succeeds marks its container as being made (../being-made.ts).
 */

/** The runner's commands emit only the contract's job items (`{ pgid }`, then `{ line, stream }`). */
const commandContext = (context: THandlerContext<TJobItem>): TOperationContext => ({
  ...context,
  emit: (item) => context.emit(item as TJobItem),
});

export const jobsOperations = ({
  lxcPath,
  containerConfig,
  cacheDir,
  importDirs,
  stateDir,
  beingMade,
  bindRoots = [],
  idPool = parseIdPool(DEFAULT_IDMAP_POOL) as TIdPool,
}: {
  lxcPath: string;
  containerConfig?: string | undefined;
  cacheDir: string;
  importDirs: readonly string[];
  /** The helper's own directory: its admins, for the tickets that keep setuid bits or restore admin lines. */
  stateDir: string;
  beingMade: TBeingMade;
  /** Where operators may bind-mount from (ATELIER_BIND_ROOTS): the privilege rules' context. */
  bindRoots?: readonly string[] | undefined;
  /** Atelier's pool of host ids: a restored map must stay in it, off other containers' ranges. */
  idPool?: TIdPool | undefined;
}) => {
  /** A tarball inside an import directory, resolved (no link leads out): or a refusal naming the field. */
  const importedFile = async (file: string) => {
    const resolved = await realpath(file).catch(() => null);
    const roots = await Promise.all(importDirs.map((dir) => realpath(dir).catch(() => null)));
    if (!resolved || !roots.some((root) => root && resolved.startsWith(`${root}/`)))
      throw new AppError("BAD_REQUEST", { ...said("tarballOutsideImportDirs", { file }), field: "path" });
    return resolved;
  };
  const configOf = (name: string) => path.join(lxcPath, name, "config");
  /** lxc-snapshot and lxc-copy would make a directory for a name that does not exist: refused first. */
  const mustExist = async (name: string) => {
    if (!(await stat(configOf(name)).catch(() => null))?.isFile()) throw containerNotFound(lxcPath, name);
  };

  /** A creation command's result; the container it made (exit 0) is marked as being made. */
  const marking = async <T extends { exitCode: number }>(name: string, result: Promise<T>) => {
    const done = await result;
    if (done.exitCode === 0) beingMade.mark(name);
    return done;
  };

  /** A rootfs on a directory or an overlay: the only kinds whose hostname file the helper can write itself. */
  const mustLookInto = async (name: string) => {
    const config = await readContainerConfig(configOf(name));
    const storage = await storageOf(config.get("lxc.rootfs.path"));
    if (storage.kind === "other")
      throw new AppError(
        "PRECONDITION_FAILED",
        said("storageNotCloneable", { name, storage: storage.value }),
      );
    return storage;
  };

  const handlers = {
    createDebian: ({ name, rootfs }, context) =>
      marking(
        name,
        createDebian({ lxcPath, containerConfig, cacheDir, name, rootfs }, commandContext(context)),
      ),
    copy: async ({ source, name, snapshot }, context) => {
      await mustExist(source);
      await mustLookInto(source);
      // The clone hooks (LXC's clonehostname: sed -i on etc/hosts …) run as root on the copy, following links.
      await refuseCloneHookProblem({
        configFile: configOf(source),
        subject: { subject: "copy", name: source },
      });
      // -K: lxc-copy writes nothing inside the new rootfs (it would write etc/hostname through a guest's link).
      const result = await marking(
        name,
        copyContainer({ lxcPath, source, name, isOverlay: snapshot }, commandContext(context)),
      );
      if (result.exitCode === 0) {
        await setGuestHostname(path.join(lxcPath, name), name);
        await closeIdmappedContainerDir(lxcPath, name);
      }
      return result;
    },
    /**
     * An archive into LXCPATH/NAME/rootfs, which tarball.prepare made (empty, and the container has no config yet):
     * listed first and checked here (server/helper/tar-listing.ts: devices, links and members that would land
     * outside the rootfs), unpacked only when the check passes. The setuid and setgid bits of its members are then
     * cleared (of the mode each file has), unless `keepSetuid` comes with an admin's ticket (asked without one, the
     * call is refused before anything is unpacked). The result says what was refused, or which members are setuid
     * or setgid, and whether their bits were kept.
     */
    unpackTarball: async ({ path: file, name, keepSetuid = false, ticket }, context) => {
      const rootfs = path.join(lxcPath, name, "rootfs");
      if (!(await stat(rootfs).catch(() => null))?.isDirectory()) throw containerNotFound(lxcPath, name);
      if ((await stat(configOf(name)).catch(() => null)) || (await readdir(rootfs)).length > 0)
        throw new AppError("CONFLICT", { ...said("notBeingMade", { name }), field: "name" });
      if (keepSetuid) await requireTicket(stateDir, ticket, { action: "keepSetuid" });
      const archive = await importedFile(file);
      const listing = await listArchive(archive, commandContext(context));
      const none = { setuid: [], setuidCount: 0, keptSetuid: false };
      if (listing.exitCode !== 0) return { ...listing, problem: "its listing cannot be read", ...none };
      const { problem, strip, setuid } = checkTarMembers(listing.stdout);
      if (problem) return { ...listing, problem, ...none };
      const unpacked = await extractArchive(archive, rootfs, { strip }, commandContext(context));
      if (unpacked.exitCode === 0 && !keepSetuid) {
        // The members by their names inside the rootfs (checkTarMembers'); one that is not a regular file any more
        // (a later member replaced it) is left alone. Bits are only ever cleared, of the mode the file has.
        const unpackedRootfs = openRootfs(rootfs);
        for (const member of setuid)
          if ((await unpackedRootfs.kind(member.name)) === "file")
            await unpackedRootfs.clearModeBits(member.name, 0o6000);
      }
      return { ...unpacked, problem: null, setuid, setuidCount: setuid.length, keptSetuid: keepSetuid };
    },
    snapshot: async ({ name, comment }, context) => {
      await mustExist(name);
      // A snapshot is a clone into snaps/: the clone hooks run on it as on a copy.
      await refuseCloneHookProblem({
        configFile: configOf(name),
        subject: { subject: "snapshot", name },
      });
      const dir = await mkdtemp(path.join(os.tmpdir(), "atelier-snapshot-"));
      try {
        const commentFile = comment ? path.join(dir, "comment") : undefined;
        if (commentFile) await writeFile(commentFile, `${comment}\n`);
        const result = await snapshotContainer(
          { lxcPath, name, ...(commentFile ? { commentFile } : {}) },
          commandContext(context),
        );
        await closeIdmappedContainerDir(lxcPath, name);
        return result;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    restoreSnapshot: async ({ name, snapshot, newName, ticket }, context) => {
      await mustExist(name);
      const storage = await mustLookInto(name);
      const snapshots = await snapshotsDirOf(lxcPath, name);
      // The snapshot's config comes back as it was: admin-only lines an admin has since taken out of the
      // container's config (a hook, a host mount...) come back only on an admin's ticket.
      const current = (await readContainerConfig(configOf(name))).toString();
      const restored = LxcConfig.parse(
        (await readContainerConfig(path.join(snapshots, snapshot, "config"))).toString(),
      );
      const rootfsPath = LxcConfig.parse(current).get("lxc.rootfs.path");
      if (rootfsPath !== undefined) restored.remove("lxc.rootfs.path").add("lxc.rootfs.path", rootfsPath);
      // Its id maps too: onto a range the pool has since given another container, or none at all (a privileged
      // container restored as new), only on an admin's ticket.
      const comeBack = [
        ...(await adminOnlyChanges(current, restored.toString(), { lxcPath, name, bindRoots })),
        // As a new container it shares its source's range until the web tier gives it its own (idmap.assign).
        ...(await idsTaken(
          lxcPath,
          newName ?? name,
          newName ? "" : current,
          restored.toString(),
          idPool,
          newName ? [name] : [],
        )),
      ];
      if (newName && !hasIsolatedIdMap(restored.entries()))
        await requireTicket(stateDir, ticket, { action: "privilegedContainer", name: newName });
      if (comeBack.length > 0) {
        const { kind, params } = privilegedChangeWords(comeBack);
        await requireTicket(stateDir, ticket, { action: "restore", snapshot, name, kind, ...params });
      }
      // Either form is a clone of the snapshot: its config's clone hooks run on its files.
      await refuseCloneHookProblem({
        configFile: path.join(snapshots, snapshot, "config"),
        subject: { subject: "restore", snapshot, name },
        inSnapshot: true,
      });
      if (newName) {
        // A clone of the snapshot with the container's storage type, with -K; the hostname written here.
        if (await hasDependents(path.join(lxcPath, name)))
          throw new AppError("PRECONDITION_FAILED", said("restoreBlockedByClones", { name }));
        const result = await restoreSnapshotAsNew(
          {
            lxcPath,
            name,
            snapshotsDir: snapshots,
            snapshot,
            newName,
            isOverlay: storage.kind === "overlay",
          },
          commandContext(context),
        );
        if (result.exitCode === 0) {
          await setGuestHostname(path.join(lxcPath, newName), newName);
          await closeIdmappedContainerDir(lxcPath, newName);
        }
        return result;
      }
      // In place only lxc-snapshot restores (it keeps the snapshots and an overlay's bookkeeping), and it writes
      // etc/hostname, following links on the host: refused while that write could leave the restored rootfs.
      const risk = await restoreHostnameRisk(path.join(snapshots, snapshot));
      if (risk)
        throw new AppError("PRECONDITION_FAILED", {
          ...said("restoreInPlaceUnsafe", { snapshot, name, ...risk }),
          field: "snapshot",
        });
      const restoredInPlace = await restoreSnapshotInPlace(
        { lxcPath, name, snapshot },
        commandContext(context),
      );
      await closeIdmappedContainerDir(lxcPath, name);
      return restoredInPlace;
    },
    /**
     * Waits (10 s at most) until no job command runs: a web tier that died left calls the helper cancelled, whose
     * process groups are being killed; its successor cleans up after them only once they are gone.
     */
    settle: async () => ({ settled: await settleGroups(10_000) }),
  } satisfies THandlers<typeof jobsContract>;

  // Every line already went to the web tier as an item: a result carries only the tails (a protocol line is at most
  // 1 MiB, and a tar listing or a debootstrap log can be far longer), and the first setuid members with their count.
  return {
    ...handlers,
    createDebian: async (input, context) => forTheWire(await handlers.createDebian(input, context)),
    copy: async (input, context) => forTheWire(await handlers.copy(input, context)),
    snapshot: async (input, context) => forTheWire(await handlers.snapshot(input, context)),
    restoreSnapshot: async (input, context) => forTheWire(await handlers.restoreSnapshot(input, context)),
    unpackTarball: async (input, context) => {
      const result = forTheWire(await handlers.unpackTarball(input, context));
      return { ...result, setuid: result.setuid.slice(0, WIRE_SETUID_MEMBERS) };
    },
  } satisfies THandlers<typeof jobsContract>;
};

const tail = (text: string) => (text.length > WIRE_OUTPUT_CHARS ? text.slice(-WIRE_OUTPUT_CHARS) : text);
const forTheWire = <T extends TCommandResult>(result: T): T => ({
  ...result,
  stdout: tail(result.stdout),
  stderr: tail(result.stderr),
});
