import type { Stats } from "node:fs";
import { readFile, readlink, stat } from "node:fs/promises";
import path from "node:path";
import type { Writable } from "node:stream";
import { pack as tarPack, type Headers } from "tar-stream";
import { AppError, containerNotFound, said } from "../../errors";
import { createLxcDriver } from "../../lxc";
import type { TLogger } from "../../log";
import { openRootfs, type TDirEntry, type TGuard, type TRootfs } from "../../rootfs";
import { readContainerConfig, storageOf } from "../../rootfs/hostname";
import {
  DEFAULT_READ_BYTES,
  guestParentOf,
  MAX_LIST_ENTRIES,
  UNMAPPED_ID,
  type TFileEntry,
  type TFileKind,
  type TGuestAccounts,
  type TReadAs,
} from "../../schemas/files";
import { IDMAPPED_ROOTFS, idMapsOf } from "../../schemas/idmap";
import { hasIsolatedIdMap } from "../../schemas/lxc-config/privileges";
import { requireTicket } from "../admins";
import { MAX_CHUNK_BYTES, type THandlers } from "../contract/define";
import type { filesContract } from "../contract/files";
import { parseGuestGroup, parseGuestPasswd, reachesHostRoot } from "../guest-users";
import { runningChanges } from "./files-running";

/** What is read of the guest's /etc/passwd and /etc/group (hostile text, bounded). */
const MAX_ACCOUNTS_BYTES = 1024 * 1024;

/** One range of an id map: container ids inside..inside+count-1 are host ids host..host+count-1. */
export type TIdRange = { inside: number; host: number; count: number };
/** A container's id maps; null for none (a privileged container: container ids are host ids). */
export type TIdMaps = { uid: TIdRange[]; gid: TIdRange[] } | null;

/** The lines of /proc/PID/uid_map or gid_map ("inside outside count"); a line of another shape is left out. */
export const parseProcIdMap = (text: string): TIdRange[] =>
  text
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length === 3 && fields.every((field) => /^\d{1,10}$/.test(field)))
    .map(([inside = "0", host = "0", count = "0"]) => ({
      inside: Number(inside),
      host: Number(host),
      count: Number(count),
    }));

/** A host id as the container sees it (65534, the kernel's overflow id, when its map does not reach it). */
export const toContainerId = (ranges: TIdRange[] | null, hostId: number) => {
  if (ranges === null) return hostId;
  const range = ranges.find((each) => each.host <= hostId && hostId < each.host + each.count);
  return range ? range.inside + (hostId - range.host) : UNMAPPED_ID;
};

/** A container id as the host knows it, or null when the container's map does not give it one. */
export const toHostId = (ranges: TIdRange[] | null, containerId: number) => {
  if (ranges === null) return containerId;
  const range = ranges.find((each) => each.inside <= containerId && containerId < each.inside + each.count);
  return range ? range.host + (containerId - range.inside) : null;
};

const kindOf = (stats: Stats): TFileKind =>
  stats.isFile() ? "file" : stats.isDirectory() ? "directory" : stats.isSymbolicLink() ? "symlink" : "other";

/** A guest path as the rootfs module takes it: relative to the container's root ("" for "/"). */
const relativeOf = (guestPath: string) => guestPath.slice(1);
const joinGuest = (dir: string, name: string) => (dir === "/" ? `/${name}` : `${dir}/${name}`);
const baseOf = (guestPath: string) => (guestPath === "/" ? "/" : guestParentOf(guestPath).name);

/** How /proc/PID/stat names a process's start (field 22, after the command in parentheses). */
const startTimeOf = (statText: string) => statText.slice(statText.lastIndexOf(")") + 2).split(" ")[19] ?? "";

/** Reads a regular file through the module, at most `max` bytes (null when there is none). */
const readBounded = async (rootfs: TRootfs, relative: string, max: number) => {
  const opened = await rootfs.openFile(relative).catch((error: unknown) => {
    if (error instanceof AppError) return null;
    throw error;
  });
  if (!opened) return null;
  try {
    const buffer = Buffer.alloc(Math.min(max, opened.stats.size));
    const { bytesRead } = await opened.handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await opened.handle.close();
  }
};

/** Errors of the kernel said as catalogue sentences. */
const kernelError = (guestPath: string) => (error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOSPC" || code === "EDQUOT")
    throw new AppError("PRECONDITION_FAILED", said("filesNoSpace", { path: guestPath }));
  if (code === "EROFS") throw new AppError("PRECONDITION_FAILED", said("filesReadOnly", { path: guestPath }));
  if (code === "ENOTEMPTY")
    throw new AppError("PRECONDITION_FAILED", said("filesNotEmpty", { path: guestPath }));
  if (code === "EEXIST") throw new AppError("CONFLICT", said("filesTargetExists", { path: guestPath }));
  if (code === "ENOENT") throw new AppError("NOT_FOUND", said("rootfsPathMissing", { path: guestPath }));
  throw error;
};

/**
 * Files inside containers (the contract: ../contract/files.ts). Reads all go through the symlink-safe rootfs
 * module: a stopped container's directory rootfs, or a running one's root as its init sees it (/proc/PID/root, PID
 * checked again each time the root is opened). Changes to a stopped container go through the module too, owners
 * through the container's id map, and nothing owned by a host id outside its map (what its own root could not
 * change: a bind of a host directory, say) is changed. Changes to a running one are made inside its own namespaces
 * by its own tools, as its root (./files-running.ts): its user namespace judges them, and an idmapped root
 * filesystem (which host root cannot write through: EOVERFLOW) is written as the container writes it. Changes to a
 * privileged container need an admin's ticket.
 */
export const filesOperations = ({
  lxcPath,
  containerConfig,
  stateDir,
  log,
  info,
}: {
  lxcPath: string;
  containerConfig?: string;
  stateDir: string;
  log?: TLogger;
  /** A container's state and init PID (lxc-info; a test gives its own). */
  info?: (name: string) => Promise<{ state: string; pid: number | null }>;
}) => {
  const lxc = createLxcDriver({ lxcPath, ...(containerConfig ? { containerConfig } : {}) });
  const infoOf = info ?? lxc.info;

  /** Where a container's files are, whether it runs, whether it is privileged, and its id maps. */
  const placeOf = async (name: string) => {
    const configFile = path.join(lxcPath, name, "config");
    if (!(await stat(configFile).catch(() => null))?.isFile()) throw containerNotFound(lxcPath, name);
    const state = await infoOf(name);
    if (state.state !== "STOPPED" && state.pid !== null) {
      const pid = state.pid;
      const identity = async () => {
        const [statText, mountNs, ownNs] = await Promise.all([
          readFile(`/proc/${pid}/stat`, "utf8"),
          readlink(`/proc/${pid}/ns/mnt`),
          readlink("/proc/self/ns/mnt"),
        ]);
        return { start: startTimeOf(statText), mountNs, isOwnNs: mountNs === ownNs };
      };
      const first = await identity().catch(() => null);
      // An init in the helper's own mount namespace would give the host's root: never opened.
      if (!first || first.isOwnNs) throw new AppError("CONFLICT", said("filesContainerChanged", { name }));
      // The identity just read is the container's init's only if LXC still names that PID (its init could have
      // died and the PID gone to another process between lxc-info and that read).
      const again = await infoOf(name);
      if (again.pid !== pid) throw new AppError("CONFLICT", said("filesContainerChanged", { name }));
      const maps = await Promise.all(
        ["uid_map", "gid_map"].map((file) => readFile(`/proc/${pid}/${file}`, "utf8").catch(() => null)),
      );
      const [uidText, gidText] = maps;
      // A map that cannot be read is not proof of isolation.
      const isPrivileged = maps.some((text) => text === null || reachesHostRoot(text));
      // Its mounts, judged by the kernel's own list (mountinfo), never by a lookup: a FUSE mount the guest never
      // answers would hang the lookup itself, and with it a thread of the helper.
      const rootfs = openRootfs(`/proc/${pid}/root`, {
        mountinfo: `/proc/${pid}/mountinfo`,
        // The root just opened is this container's init's only if that PID is still it (not a reused PID).
        rootOpened: async () => {
          const now = await identity().catch(() => null);
          if (!now || now.start !== first.start || now.mountNs !== first.mountNs || now.isOwnNs)
            throw new AppError("CONFLICT", said("filesContainerChanged", { name }));
        },
      });
      const idMaps: TIdMaps =
        uidText && gidText ? { uid: parseProcIdMap(uidText), gid: parseProcIdMap(gidText) } : null;
      return { rootfs, isRunning: true, isPrivileged, idMaps };
    }
    const config = await readContainerConfig(configFile);
    const storage = await storageOf(config.get("lxc.rootfs.path"));
    if (storage.kind === "overlay")
      throw new AppError("PRECONDITION_FAILED", said("filesStoppedOverlay", { name }));
    if (storage.kind !== "dir")
      throw new AppError(
        "PRECONDITION_FAILED",
        said("filesStorageUnsupported", { name, storage: storage.value }),
      );
    const entries = config.entries();
    // Mounted idmapped (lxc.rootfs.options = idmap=container): the owners on disk are the container's own ids (the
    // kernel maps them at mount time), so from disk to the container the map is the identity over its ranges.
    const isIdmappedMount = String(config.get("lxc.rootfs.options") ?? "")
      .split(",")
      .map((option) => option.trim())
      .includes(IDMAPPED_ROOTFS);
    const maps = idMapsOf(entries).map((map) => (isIdmappedMount ? { ...map, host: map.inside } : map));
    const idMaps: TIdMaps =
      maps.length === 0
        ? null
        : {
            uid: maps.filter((map) => map.type === "u"),
            gid: maps.filter((map) => map.type === "g"),
          };
    return {
      rootfs: openRootfs(storage.path),
      isRunning: false,
      isPrivileged: !hasIsolatedIdMap(entries),
      idMaps,
    };
  };
  type TPlace = Awaited<ReturnType<typeof placeOf>>;

  /** The guest's accounts, read through the module (hostile text, bounded; missing files give none). */
  const accountsOf = async (rootfs: TRootfs) => {
    const [passwd, group] = await Promise.all([
      readBounded(rootfs, "etc/passwd", MAX_ACCOUNTS_BYTES),
      readBounded(rootfs, "etc/group", MAX_ACCOUNTS_BYTES),
    ]);
    const users = [...parseGuestPasswd(passwd ?? "").values()].map(({ name, uid }) => ({ name, uid }));
    const groups = [...parseGuestGroup(group ?? "").values()].map(({ name, gid }) => ({ name, gid }));
    return { users, groups } satisfies TGuestAccounts;
  };

  /** Entries as the container sees them: ids through its map, names from its accounts (the first for an id). */
  const describer = (place: TPlace, accounts: TGuestAccounts) => {
    const userNames = new Map<number, string>();
    for (const user of accounts.users) if (!userNames.has(user.uid)) userNames.set(user.uid, user.name);
    const groupNames = new Map<number, string>();
    for (const group of accounts.groups)
      if (!groupNames.has(group.gid)) groupNames.set(group.gid, group.name);
    return (guestPath: string, stats: Stats, linkTarget: string | null): TFileEntry => {
      const uid = toContainerId(place.idMaps?.uid ?? null, stats.uid);
      const gid = toContainerId(place.idMaps?.gid ?? null, stats.gid);
      return {
        name: baseOf(guestPath),
        path: guestPath,
        kind: kindOf(stats),
        size: stats.size,
        mode: stats.mode & 0o7777,
        uid,
        gid,
        user: userNames.get(uid) ?? null,
        group: groupNames.get(gid) ?? null,
        mtime: stats.mtime.toISOString(),
        linkTarget,
      };
    };
  };

  /** A reading call's place and how to describe its entries. */
  const forReading = async (name: string) => {
    const place = await placeOf(name);
    return { place, describe: describer(place, await accountsOf(place.rootfs)) };
  };

  /**
   * A changing call's place: an admin's ticket for a privileged container; for an unprivileged one a guard that
   * refuses entries owned by host ids outside its map, and the host ids of its root (new entries' owner).
   */
  const forChanging = async (name: string, ticket: string | undefined) => {
    const place = await placeOf(name);
    if (place.isPrivileged) await requireTicket(stateDir, ticket, { action: "privilegedFiles", name });
    const isMapped = (ranges: TIdRange[], id: number) =>
      ranges.some((range) => range.host <= id && id < range.host + range.count);
    const guard: TGuard = (stats, relative) => {
      const maps = place.idMaps;
      if (place.isPrivileged || maps === null) return;
      for (const id of [stats.uid, stats.gid])
        if (!isMapped(id === stats.uid ? maps.uid : maps.gid, id))
          throw new AppError("FORBIDDEN", said("filesUnmappedOwner", { path: `/${relative}`, id, name }));
    };
    const rootUid = toHostId(place.idMaps?.uid ?? null, 0);
    const rootGid = toHostId(place.idMaps?.gid ?? null, 0);
    const rootOwner = rootUid !== null && rootGid !== null ? { uid: rootUid, gid: rootGid } : undefined;
    /** The directory a new entry goes into, checked with the guard (links on the way followed inside the root). */
    const checkParent = async (guestPath: string) => {
      const { parent } = guestParentOf(guestPath);
      const { stats } = await place.rootfs.describe(relativeOf(parent), { followLast: true });
      await guard(stats, relativeOf(parent));
    };
    /** The guard for what a write or a link replaces at `guestPath` (nothing there: nothing to check). */
    const existingGuard = (guestPath: string) => (existing: Stats | null) =>
      existing ? guard(existing, relativeOf(guestPath)) : undefined;
    const describe = describer(place, await accountsOf(place.rootfs));
    const running = place.isRunning
      ? runningChanges({
          lxcPath,
          name,
          rootfs: place.rootfs,
          entryOf: describe,
          containerIds: (stats) => {
            const maps = place.idMaps;
            if (maps === null) return { uid: stats.uid, gid: stats.gid };
            if (!isMapped(maps.uid, stats.uid) || !isMapped(maps.gid, stats.gid)) return null;
            return { uid: toContainerId(maps.uid, stats.uid), gid: toContainerId(maps.gid, stats.gid) };
          },
          ...(log ? { log } : {}),
        })
      : null;
    return { place, guard, rootOwner, checkParent, existingGuard, describe, running };
  };

  /** What an entry is now (after a change), as the container sees it. */
  const entryNow = async (
    place: TPlace,
    describe: ReturnType<typeof describer>,
    guestPath: string,
  ): Promise<TFileEntry> => {
    const { stats, linkTarget } = await place.rootfs.describe(relativeOf(guestPath));
    return describe(guestPath, stats, linkTarget);
  };

  const others = (readAs: TReadAs) => readAs === "other";

  return {
    list: async ({ name, path: guestPath, readAs }) => {
      const { place, describe } = await forReading(name);
      let isTruncated = false;
      const listing = await place.rootfs.listEntries(relativeOf(guestPath), {
        others: others(readAs),
        select: (names) => {
          const sorted = [...names].sort((a, b) =>
            a.isDirectory !== b.isDirectory
              ? a.isDirectory
                ? -1
                : 1
              : a.name < b.name
                ? -1
                : a.name > b.name
                  ? 1
                  : 0,
          );
          isTruncated = sorted.length > MAX_LIST_ENTRIES;
          return sorted.slice(0, MAX_LIST_ENTRIES).map((each) => each.name);
        },
      });
      const entries = listing.entries.map((entry: TDirEntry) =>
        describe(joinGuest(guestPath, entry.name), entry.stats, entry.linkTarget),
      );
      // The kernel's types (d_type) sorted them; a link to a directory is sorted with the files.
      entries.sort((a, b) =>
        (a.kind === "directory") !== (b.kind === "directory")
          ? a.kind === "directory"
            ? -1
            : 1
          : a.name < b.name
            ? -1
            : a.name > b.name
              ? 1
              : 0,
      );
      return { path: guestPath, entries, isTruncated, isRunning: place.isRunning };
    },

    stat: async ({ name, path: guestPath, readAs }) => {
      const { place, describe } = await forReading(name);
      const { stats, linkTarget } = await place.rootfs.describe(relativeOf(guestPath), {
        others: others(readAs),
      });
      return describe(guestPath, stats, linkTarget);
    },

    read: async ({ name, path: guestPath, readAs, maxBytes }) => {
      const { place, describe } = await forReading(name);
      const max = maxBytes ?? DEFAULT_READ_BYTES;
      const { handle, stats } = await place.rootfs.openFile(relativeOf(guestPath), {
        others: others(readAs),
      });
      try {
        // One byte more than asked says whether there is more.
        const buffer = Buffer.alloc(max + 1);
        let length = 0;
        while (length < buffer.length) {
          const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
          if (bytesRead === 0) break;
          length += bytesRead;
        }
        const isTruncated = length > max;
        const data = buffer.subarray(0, Math.min(length, max));
        let content = "";
        let isBinary = data.includes(0);
        if (!isBinary) {
          try {
            // A cut multi-byte character at the end of a truncated read is not invalid: it is held back.
            content = new TextDecoder("utf-8", { fatal: true }).decode(data, { stream: isTruncated });
          } catch {
            isBinary = true;
          }
        }
        return {
          entry: describe(guestPath, stats, null),
          content: isBinary ? "" : content,
          isBinary,
          isTruncated,
        };
      } finally {
        await handle.close();
      }
    },

    write: async ({ name, path: guestPath, content, mode, expectedMtime, ticket }) => {
      const { place, rootOwner, checkParent, existingGuard, describe, running } = await forChanging(
        name,
        ticket,
      );
      if (running)
        return running.write(guestPath, content, {
          ...(mode === undefined ? {} : { mode }),
          ...(expectedMtime === undefined ? {} : { expectedMtime }),
        });
      await checkParent(guestPath);
      const stats = await place.rootfs
        .writeStream(relativeOf(guestPath), [Buffer.from(content, "utf8")], {
          ...(mode === undefined ? {} : { mode }),
          ...(rootOwner ? { newOwner: rootOwner } : {}),
          guard: async (existing) => {
            await existingGuard(guestPath)(existing);
            if (
              expectedMtime !== undefined &&
              existing?.isFile() &&
              existing.mtime.toISOString() !== expectedMtime
            )
              throw new AppError("CONFLICT", said("filesConflict", { path: guestPath }));
          },
        })
        .catch(kernelError(guestPath));
      return describe(guestPath, stats, null);
    },

    upload: async ({ name, path: guestPath, size, mode, ticket }, { upstream, signal }) => {
      const { place, rootOwner, checkParent, existingGuard, describe, running } = await forChanging(
        name,
        ticket,
      );
      if (running)
        return running.upload(guestPath, upstream, { size, signal, ...(mode === undefined ? {} : { mode }) });
      await checkParent(guestPath);
      const stats = await place.rootfs
        .writeStream(relativeOf(guestPath), upstream, {
          size,
          ...(mode === undefined ? {} : { mode }),
          ...(rootOwner ? { newOwner: rootOwner } : {}),
          guard: existingGuard(guestPath),
        })
        .catch(kernelError(guestPath));
      return describe(guestPath, stats, null);
    },

    mkdir: async ({ name, path: guestPath, mode, ticket }) => {
      const { place, rootOwner, checkParent, describe, running } = await forChanging(name, ticket);
      if (running) return running.mkdir(guestPath, mode ?? 0o755);
      await checkParent(guestPath);
      const stats = await place.rootfs
        .makeDirectory(relativeOf(guestPath), { mode: mode ?? 0o755, ...(rootOwner ?? {}) })
        .catch(kernelError(guestPath));
      return describe(guestPath, stats, null);
    },

    rename: async ({ name, from, to, ticket }) => {
      const { place, guard, checkParent, describe, running } = await forChanging(name, ticket);
      if (running) return running.rename(from, to);
      await checkParent(from);
      await checkParent(to);
      await place.rootfs.rename(relativeOf(from), relativeOf(to), { guard }).catch(kernelError(to));
      return entryNow(place, describe, to);
    },

    remove: async ({ name, path: guestPath, recursive, ticket }) => {
      const { place, guard, checkParent, running } = await forChanging(name, ticket);
      if (running) return running.remove(guestPath, recursive);
      await checkParent(guestPath);
      const removed = await place.rootfs
        .remove(relativeOf(guestPath), { recursive, guard })
        .catch(kernelError(guestPath));
      log?.info(`files: removed ${removed} entr${removed === 1 ? "y" : "ies"} at ${guestPath} in ${name}`);
      return { removed };
    },

    chmod: async ({ name, path: guestPath, mode, ticket }) => {
      // Setuid and setgid bits are the container's own: an unprivileged container's are its mapped root's, and a
      // privileged container's changes need an admin's ticket anyway.
      const { place, guard, describe, running } = await forChanging(name, ticket);
      if (running) return running.chmod(guestPath, mode);
      const stats = await place.rootfs
        .setMode(relativeOf(guestPath), mode, { guard })
        .catch(kernelError(guestPath));
      return describe(guestPath, stats, null);
    },

    chown: async ({ name, path: guestPath, user, group, ticket }) => {
      const { place, guard, describe, running } = await forChanging(name, ticket);
      const accounts = await accountsOf(place.rootfs);
      /** A user or group as the container knows it: its id inside, and the host's (null: outside its map). */
      const resolve = (kind: "user" | "group", owner: string | undefined) => {
        if (owner === undefined) return undefined;
        const inside = /^\d+$/.test(owner)
          ? Number(owner)
          : kind === "user"
            ? accounts.users.find((each) => each.name === owner)?.uid
            : accounts.groups.find((each) => each.name === owner)?.gid;
        if (inside === undefined)
          throw new AppError("BAD_REQUEST", said("filesUnknownOwner", { owner, kind, name }));
        const host = toHostId((kind === "user" ? place.idMaps?.uid : place.idMaps?.gid) ?? null, inside);
        if (host === null || host >= 2 ** 32 - 1 || inside >= 2 ** 32 - 1)
          throw new AppError("BAD_REQUEST", said("filesIdNotMapped", { id: inside, name }));
        return { inside, host };
      };
      const uid = resolve("user", user);
      const gid = resolve("group", group);
      // Inside the container, by its own ids.
      if (running) return running.chown(guestPath, uid?.inside, gid?.inside);
      await place.rootfs
        .setOwner(relativeOf(guestPath), uid?.host ?? -1, gid?.host ?? -1, { guard })
        .catch(kernelError(guestPath));
      return entryNow(place, describe, guestPath);
    },

    symlink: async ({ name, path: guestPath, target, ticket }) => {
      const { place, rootOwner, checkParent, existingGuard, describe, running } = await forChanging(
        name,
        ticket,
      );
      if (running) return running.symlink(guestPath, target);
      await checkParent(guestPath);
      const stats = await place.rootfs
        .symlink(relativeOf(guestPath), target, { ...(rootOwner ?? {}), guard: existingGuard(guestPath) })
        .catch(kernelError(guestPath));
      return describe(guestPath, stats, target);
    },

    accounts: async ({ name }) => {
      const place = await placeOf(name);
      return accountsOf(place.rootfs);
    },

    download: async ({ name, path: guestPath, readAs }, { emit, signal }) => {
      const place = await placeOf(name);
      const { handle } = await place.rootfs.openFile(relativeOf(guestPath), { others: others(readAs) });
      let total = 0;
      try {
        for (;;) {
          signal.throwIfAborted();
          // A fresh buffer each time: an emitted chunk may wait on the wire while the next is read.
          const chunk = Buffer.allocUnsafe(MAX_CHUNK_BYTES);
          const { bytesRead } = await handle.read(chunk, 0, chunk.length, total);
          if (bytesRead === 0) break;
          total += bytesRead;
          await emit(chunk.subarray(0, bytesRead));
        }
      } finally {
        await handle.close();
      }
      return { bytes: total };
    },

    tar: async ({ name, path: guestPath, readAs }, { emit, signal }) => {
      const { place, describe } = await forReading(name);
      const isOthers = others(readAs);
      const pack = tarPack();
      const top = guestPath === "/" ? "" : `${baseOf(guestPath)}/`;
      let entries = 0;
      let skipped = 0;
      /** An entry of the tar: its sink (a file's bytes go there) and when it is all in the tar. */
      const add = (header: Headers) => {
        const callbacks: { settle?: (error?: Error | null) => void } = {};
        const done = new Promise<void>((resolve, reject) => {
          callbacks.settle = (error) => (error ? reject(error) : resolve());
        });
        // A failed entry destroys the pack, which the consumer reports: the rejection is awaited there.
        done.catch(() => undefined);
        const sink: Writable = pack.entry(header, (error) => callbacks.settle?.(error));
        return { sink, done };
      };
      const produce = async () => {
        await place.rootfs.walkTree(relativeOf(guestPath), { others: isOthers }, async (entry) => {
          signal.throwIfAborted();
          if (entry.refused) {
            skipped += 1;
            return false;
          }
          // The directory packed must be one the caller may list (as files.list asks), "/" included, whose tar name
          // is "" and is entered below without the check each directory inside gets.
          if (entry.path === "" && isOthers && (entry.stats.mode & 0o005) !== 0o005)
            throw new AppError(
              "FORBIDDEN",
              said("filesNotForOthers", { path: guestPath, kind: "directory" }),
            );
          const seen = describe(joinGuest(guestPath, entry.path), entry.stats, entry.linkTarget);
          const name = entry.path === "" ? top : `${top}${entry.path}${entry.stats.isDirectory() ? "/" : ""}`;
          if (name === "") return true;
          const common = {
            name,
            mode: seen.mode,
            uid: seen.uid,
            gid: seen.gid,
            uname: seen.user ?? "",
            gname: seen.group ?? "",
            mtime: entry.stats.mtime,
          };
          if (entry.stats.isDirectory()) {
            if (isOthers && (entry.stats.mode & 0o005) !== 0o005) {
              skipped += 1;
              return false;
            }
            await add({ ...common, type: "directory" }).done;
          } else if (entry.stats.isSymbolicLink()) {
            await add({ ...common, type: "symlink", linkname: entry.linkTarget ?? "" }).done;
          } else if (entry.open && (!isOthers || (entry.stats.mode & 0o004) !== 0)) {
            const handle = await entry.open().catch(() => null);
            if (!handle) {
              skipped += 1;
              return;
            }
            try {
              const size = entry.stats.size;
              const { sink, done } = add({ ...common, type: "file", size });
              // Exactly the size the header says: a file that shrank meanwhile is padded, one that grew is cut.
              for (let offset = 0; offset < size;) {
                signal.throwIfAborted();
                const chunk = Buffer.alloc(Math.min(MAX_CHUNK_BYTES, size - offset));
                const { bytesRead } = await handle.read(chunk, 0, chunk.length, offset);
                if (bytesRead === 0) chunk.fill(0);
                offset += chunk.length;
                if (!sink.write(chunk)) await drained(sink);
              }
              sink.end();
              await done;
            } finally {
              await handle.close();
            }
          } else {
            skipped += 1;
            return;
          }
          entries += 1;
        });
        pack.finalize();
      };
      const producing = produce().catch((error: unknown) => {
        pack.destroy(error instanceof Error ? error : new Error(String(error)));
        throw error;
      });
      // Awaited below; marked handled now, should it fail before the consumer gets there.
      producing.catch(() => undefined);
      try {
        for await (const chunk of pack as AsyncIterable<Buffer>) {
          for (let offset = 0; offset < chunk.length; offset += MAX_CHUNK_BYTES)
            await emit(chunk.subarray(offset, offset + MAX_CHUNK_BYTES));
        }
      } catch (error) {
        // The producer stops at the destroyed pack (its own error is the pack's when it failed first).
        pack.destroy(error instanceof Error ? error : new Error(String(error)));
        await producing.catch(() => undefined);
        throw error;
      }
      await producing;
      return { entries, skipped };
    },
  } satisfies THandlers<typeof filesContract>;
};

/** Resolves when a tar entry's sink takes more bytes; rejects when it (or its pack) was destroyed meanwhile. */
const drained = (sink: Writable) =>
  new Promise<void>((resolve, reject) => {
    if (sink.destroyed) {
      reject(new Error("tar entry destroyed"));
      return;
    }
    const onClose = () => reject(new Error("tar entry destroyed"));
    sink.once("drain", () => {
      sink.off("close", onClose);
      resolve();
    });
    sink.once("close", onClose);
  });
