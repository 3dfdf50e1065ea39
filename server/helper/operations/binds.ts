import { constants } from "node:fs";
import { lstat, open, readdir, readlink, realpath, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { AppError, said } from "../../errors";
import { containerNotFound, createLxcDriver } from "../../lxc";
import { IDMAPPED_ROOTFS, idMapsOf, mappedRoot, type TIdMap } from "../../schemas/idmap";
import { LxcConfig } from "../../schemas/lxc-config/model";
import { isInBindRoots, isInside, normalisePath, parseMountEntry } from "../../schemas/lxc-config/privileges";
import { requireTicket } from "../admins";
import type { bindsContract, TBindMount } from "../contract/binds";
import { MAX_CONFIG_BYTES } from "../contract/config";
import type { THandlers } from "../contract/define";
import { parseSubids } from "../subids";
import { otherConfigs } from "../lxcpath-configs";

/**
 * Bind mounts of unprivileged containers (the contract: ../contract/binds.ts). A host directory owned by host uid
 * 1000 shows as nobody (65534) inside a container whose ids are host ids N–N+65535, and nobody inside may write it.
 * Two fixes: give the directory to the container's id (host N+ID), or, an admin, map host id ID through unchanged
 * (`u 0 N ID`, `u ID ID 1`, `u ID+1 N+ID+1 65535-ID`, and groups alike; root needs `root:ID:1` in /etc/subuid and
 * /etc/subgid, or newuidmap refuses the map).
 *
 * What chowning a host directory to a container's id gives the container: its root (host N, and whatever it makes
 * uid ID inside) owns that directory on the host: it may put anything there, links and setuid-N programs included,
 * and change what is there. So the helper never gives a container a directory the host itself lives by (the
 * system's trees, /home, the lxcpath, its own state, or a parent of one), reaches each name from its directory's
 * descriptor without following a link, stays on the source's filesystem, and leaves alone hard-linked files (a link
 * to a host file elsewhere would be given away with it) and device nodes.
 */

/** Trees of the host that are never given to a container, nor anything in them. */
const SYSTEM_TREES = [
  "/etc",
  "/usr",
  "/bin",
  "/sbin",
  "/lib",
  "/lib32",
  "/lib64",
  "/libx32",
  "/boot",
  "/dev",
  "/proc",
  "/sys",
  "/run",
  "/root",
  "/var/lib/dpkg",
  "/var/lib/apt",
  "/var/log",
  "/var/spool",
  "/var/mail",
];
/** Directories of the host that are never given to a container themselves (what is in them may be). */
const SYSTEM_DIRS = [
  "/",
  "/home",
  "/var",
  "/var/lib",
  "/var/cache",
  "/var/tmp",
  "/srv",
  "/opt",
  "/tmp",
  "/mnt",
  "/media",
  "/snap",
];

const OPEN_DIRECTORY = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

const isBind = (options: readonly string[]) => options.includes("bind") || options.includes("rbind");

/** An id through one kind of a config's maps: the inside id a host id is, or (reverse) the host id of an inside one. */
const throughMaps = (maps: readonly TIdMap[], type: "u" | "g", id: number, direction: "inside" | "host") => {
  for (const map of maps) {
    if (map.type !== type) continue;
    const from = direction === "inside" ? map.host : map.inside;
    const to = direction === "inside" ? map.inside : map.host;
    if (id >= from && id < from + map.count) return to + (id - from);
  }
  return null;
};

/** The kernel's overflow id: what an unmapped owner shows as inside a user namespace. */
const NOBODY = 65534;

/**
 * The maps of one kind split around `id` so that inside id `id` is host id `id`: the map that holds inside id `id` is
 * cut in up to three pieces. Null when no map holds it.
 */
export const splitAround = (maps: readonly TIdMap[], type: "u" | "g", id: number): TIdMap[] | null => {
  const kind = maps.filter((map) => map.type === type);
  const index = kind.findIndex((map) => id >= map.inside && id < map.inside + map.count);
  const map = kind[index];
  if (!map) return null;
  const before = id - map.inside;
  const after = map.inside + map.count - id - 1;
  const pieces: TIdMap[] = [
    ...(before > 0 ? [{ type, inside: map.inside, host: map.host, count: before }] : []),
    { type, inside: id, host: id, count: 1 },
    ...(after > 0 ? [{ type, inside: id + 1, host: map.host + before + 1, count: after }] : []),
  ];
  return [...kind.slice(0, index), ...pieces, ...kind.slice(index + 1)];
};

/** Host ids a config maps one to one (inside id = host id), of one kind. */
const passedThrough = (maps: readonly TIdMap[], type: "u" | "g") =>
  maps
    .filter((map) => map.type === type && map.inside === map.host && map.host < 65536)
    .flatMap((map) => Array.from({ length: Math.min(map.count, 16) }, (_, offset) => map.host + offset));

export const bindsOperations = ({
  lxcPath,
  stateDir,
  hostRoot,
  bindRoots,
  protectedPaths = [],
  serviceUids = [],
  writeConfig,
}: {
  /** Atelier's own service accounts (the web tier's uid): never passed through to a container. */
  serviceUids?: readonly number[];
  lxcPath: string;
  /** The helper's own directory (admins' tickets). */
  stateDir: string;
  /** Where the host's /etc is ("/", or a directory laid out like / in tests). */
  hostRoot: string;
  /** Where operators may bind-mount from (ATELIER_BIND_ROOTS): there an operator may give a source away. */
  bindRoots: readonly string[];
  /** More of the host's directories never given to a container (the helper's state, the cache, the spool). */
  protectedPaths?: readonly string[];
  /** config.write: the validated write path. */
  writeConfig: (name: string, text: string, ticket: string | undefined) => Promise<unknown>;
}) => {
  const lxc = createLxcDriver({ lxcPath });
  const fileOf = (name: string) => path.join(lxcPath, name, "config");

  /** The container's config, a regular file never reached through a link (as config.read reads it). */
  const readConfig = async (name: string) => {
    const handle = await open(fileOf(name), constants.O_RDONLY | constants.O_NOFOLLOW).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT" || error.code === "ENOTDIR") throw containerNotFound(lxcPath, name);
        throw new AppError("PRECONDITION_FAILED", said("configFileOdd", { name }));
      },
    );
    try {
      const info = await handle.stat();
      if (!info.isFile() || info.size > MAX_CONFIG_BYTES * 4)
        throw new AppError("PRECONDITION_FAILED", said("configFileOdd", { name }));
      const text = await handle.readFile("utf8");
      return { text, config: LxcConfig.parse(text) };
    } finally {
      await handle.close();
    }
  };

  /** How deep a recursive chown walks (each level holds a descriptor). */
  const MAX_DEPTH = 256;

  /** The bind mounts of a config (absolute sources only: a relative one is inside the rootfs for liblxc). */
  const bindEntries = (config: LxcConfig) =>
    config
      .entries()
      .filter((entry) => entry.key === "lxc.mount.entry")
      .map((entry) => ({ line: entry.line, ...parseMountEntry(entry.value) }))
      .filter((entry) => isBind(entry.options) && entry.source.startsWith("/") && entry.target !== "");

  const realRoots = async () =>
    (await Promise.all(bindRoots.map((root) => realpath(root).catch(() => null)))).filter(
      (root): root is string => root !== null,
    );

  /** Whether a (normalised, resolved) host path is one the host lives by, or holds one. */
  const isSystemPath = (normal: string) => {
    const trees = [...SYSTEM_TREES, lxcPath, stateDir, path.join(hostRoot, "etc"), ...protectedPaths]
      .map((tree) => normalisePath(path.resolve(tree)))
      .filter((tree): tree is string => tree !== null);
    if (trees.some((tree) => isInside(normal, tree) || isInside(tree, normal))) return true;
    if (SYSTEM_DIRS.includes(normal)) return true;
    // A user's home itself (/home/alice): giving it away hands the container their dotfiles.
    return /^\/home\/[^/]+$/.test(normal);
  };

  /** A source as the host has it: what it is (never followed), whether its path goes through a link. */
  const examine = async (source: string) => {
    const normal = normalisePath(source) ?? source;
    const info = await lstat(normal).catch(() => null);
    const resolved = info ? await realpath(normal).catch(() => null) : null;
    const kind: TBindMount["kind"] = !info
      ? "missing"
      : info.isSymbolicLink()
        ? "link"
        : info.isDirectory()
          ? "directory"
          : info.isFile()
            ? "file"
            : "other";
    return {
      normal,
      info,
      resolved,
      kind,
      throughLink: info !== null && !info.isSymbolicLink() && resolved !== normal,
    };
  };

  const unprivileged = (name: string, maps: readonly TIdMap[]) => {
    const root = mappedRoot(maps);
    if (root === null) throw new AppError("PRECONDITION_FAILED", said("bindsNeedUnprivileged", { name }));
    return root;
  };

  /**
   * Gives every name under the directory open as `handle` to uid:gid: each reached from its directory's descriptor
   * (`/proc/self/fd/DIR/NAME`, the link itself when it is one), directories checked to be the inode lstat saw before
   * they are descended into, nothing of another filesystem, no hard-linked file, no device.
   */
  const chownBelow = async (
    handle: FileHandle,
    dev: number,
    uid: number,
    gid: number,
    rel: string,
    tally: { changed: number; skipped: string[]; skippedCount: number },
    signal: AbortSignal,
    depth = 0,
  ): Promise<void> => {
    const base = `/proc/self/fd/${handle.fd}/`;
    const skip = (what: string) => {
      tally.skippedCount += 1;
      if (tally.skipped.length < 50) tally.skipped.push(what.slice(0, 4200));
    };
    const names = await readdir(base, { encoding: "buffer" });
    for (const name of names) {
      if (signal.aborted) throw new AppError("CONFLICT", said("operationCancelled"));
      const at = Buffer.concat([Buffer.from(base), name]);
      const shown = `${rel}/${name.toString("utf8")}`;
      const info = await lstat(at).catch(() => null);
      if (!info) continue;
      if (info.dev !== dev) {
        skip(`${shown}: another filesystem`);
        continue;
      }
      if (info.isCharacterDevice() || info.isBlockDevice()) {
        skip(`${shown}: a device`);
        continue;
      }
      if (!info.isDirectory() && info.nlink > 1) {
        skip(`${shown}: ${info.nlink} hard links`);
        continue;
      }
      if (info.isDirectory()) {
        // Each level keeps its directory open: a tree deeper than this would exhaust the helper's descriptors.
        if (depth >= MAX_DEPTH) {
          skip(`${shown}: deeper than ${MAX_DEPTH} levels`);
          continue;
        }
        const child = await open(at, OPEN_DIRECTORY).catch(() => null);
        if (!child) {
          skip(`${shown}: could not be opened`);
          continue;
        }
        try {
          const opened = await child.stat();
          if (opened.ino !== info.ino || opened.dev !== info.dev) {
            skip(`${shown}: changed while walked`);
            continue;
          }
          if (opened.uid !== uid || opened.gid !== gid) {
            await child.chown(uid, gid);
            tally.changed += 1;
          }
          await chownBelow(child, dev, uid, gid, shown, tally, signal, depth + 1);
        } finally {
          await child.close();
        }
        continue;
      }
      if (info.uid === uid && info.gid === gid) continue;
      // A link's own owner matters to nobody: left alone. A socket cannot be opened: left too.
      if (!info.isFile() && !info.isFIFO()) continue;
      // The file itself, opened (never through a link) and judged on its descriptor: a name swapped between the
      // lstat above and the chown (for a hard link to a file outside the tree) is not chowned. Setuid and setgid
      // bits go with the chown, on purpose.
      const file = await open(at, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
        () => null,
      );
      if (!file) {
        skip(`${shown}: could not be opened`);
        continue;
      }
      try {
        const opened = await file.stat();
        if (opened.ino !== info.ino || opened.dev !== info.dev || opened.nlink > 1) {
          skip(`${shown}: changed while walked`);
          continue;
        }
        await file.chown(uid, gid);
        tally.changed += 1;
      } finally {
        await file.close();
      }
    }
  };

  return {
    inspect: async ({ name }) => {
      const { config } = await readConfig(name);
      const maps = idMapsOf(config.entries());
      const root = mappedRoot(maps);
      const roots = await realRoots();
      const mounts: TBindMount[] = [];
      for (const entry of bindEntries(config)) {
        const { normal, info, resolved, kind, throughLink } = await examine(entry.source);
        const inside = (type: "u" | "g", id: number) =>
          root === null ? id : (throughMaps(maps, type, id, "inside") ?? NOBODY);
        mounts.push({
          line: entry.line,
          source: entry.source,
          target: entry.target,
          readOnly: entry.options.includes("ro"),
          kind,
          throughLink,
          uid: info?.uid ?? null,
          gid: info?.gid ?? null,
          mode: info ? info.mode & 0o7777 : null,
          insideUid: info ? inside("u", info.uid) : null,
          insideGid: info ? inside("g", info.gid) : null,
          inBindRoots: resolved !== null && resolved === normal && isInBindRoots(resolved, roots),
          systemPath: isSystemPath(resolved ?? normal),
        });
      }
      return {
        root,
        passThrough: { uids: passedThrough(maps, "u"), gids: passedThrough(maps, "g") },
        mounts,
      };
    },

    chownSource: async ({ name, source, insideUid, insideGid, recursive, ticket }, { signal }) => {
      const { config } = await readConfig(name);
      const maps = idMapsOf(config.entries());
      unprivileged(name, maps);
      const normal = normalisePath(source);
      if (normal === null || !bindEntries(config).some((entry) => normalisePath(entry.source) === normal))
        throw new AppError("PRECONDITION_FAILED", said("bindNotASource", { name, source }));
      const { info, resolved, kind, throughLink } = await examine(normal);
      if (!info || kind === "link" || kind === "other" || throughLink || resolved === null)
        throw new AppError(
          "PRECONDITION_FAILED",
          said("bindSourceOdd", {
            source,
            why:
              kind === "missing"
                ? "missing"
                : kind === "link"
                  ? "link"
                  : throughLink
                    ? "throughLink"
                    : "other",
            resolved: resolved ?? "",
          }),
        );
      if (isSystemPath(resolved)) throw new AppError("FORBIDDEN", said("bindSystemPath", { source }));
      const uid = throughMaps(maps, "u", insideUid, "host");
      const gid = throughMaps(maps, "g", insideGid, "host");
      if (uid === null || gid === null)
        throw new AppError(
          "PRECONDITION_FAILED",
          said("bindIdNotMapped", { name, id: uid === null ? insideUid : insideGid }),
        );
      // Outside the bind roots, a bind root itself, a directory that holds or lies in another container's bind source
      // (its data would become this one's), or onto the host's own users (a pass-through): an admin's.
      const roots = await realRoots();
      const othersSources = (await otherConfigs(lxcPath, name)).flatMap(({ text }) =>
        bindEntries(LxcConfig.parse(text)).map((entry) => normalisePath(entry.source) ?? entry.source),
      );
      if (
        !isInBindRoots(resolved, roots) ||
        roots.includes(resolved) ||
        othersSources.some((other) => isInside(other, resolved) || isInside(resolved, other)) ||
        uid < 65536 ||
        gid < 65536
      )
        await requireTicket(stateDir, ticket, { action: "bindChown", name, source: resolved });
      const tally = { changed: 0, skipped: [] as string[], skippedCount: 0 };
      const handle = await open(
        resolved,
        kind === "directory"
          ? OPEN_DIRECTORY
          : constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
      );
      try {
        // The object opened, by the kernel's own name for it: a directory on the way swapped for a link between the
        // checks above and the open would have led elsewhere (the checks judged the path, the chown acts on this).
        const actual = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => "");
        if (actual !== resolved)
          throw new AppError(
            "PRECONDITION_FAILED",
            said("bindSourceOdd", { source, why: "other", resolved }),
          );
        const opened = await handle.stat();
        if (opened.ino !== info.ino || opened.dev !== info.dev)
          throw new AppError(
            "PRECONDITION_FAILED",
            said("bindSourceOdd", { source, why: "other", resolved }),
          );
        if (!opened.isDirectory() && opened.nlink > 1)
          throw new AppError(
            "PRECONDITION_FAILED",
            said("bindSourceOdd", { source, why: "hardLinked", resolved }),
          );
        if (opened.uid !== uid || opened.gid !== gid) {
          await handle.chown(uid, gid);
          tally.changed += 1;
        }
        if (recursive && opened.isDirectory())
          await chownBelow(handle, opened.dev, uid, gid, resolved, tally, signal);
      } finally {
        await handle.close();
      }
      return { uid, gid, ...tally };
    },

    passThrough: async ({ name, hostId, ticket }) => {
      await requireTicket(stateDir, ticket, { action: "passThrough", name, id: hostId });
      // Container root acting as Atelier's own web tier would reach its database and sessions.
      if (serviceUids.includes(hostId))
        throw new AppError("FORBIDDEN", { ...said("passThroughServiceId", { id: hostId }), field: "hostId" });
      const { text, config } = await readConfig(name);
      const state = (await lxc.info(name)).state;
      if (state !== "STOPPED") throw new AppError("CONFLICT", said("idmapNeedsStopped", { name, state }));
      const maps = idMapsOf(config.entries());
      unprivileged(name, maps);
      // Through a shifted root filesystem the container's own files of that id (host N+ID on disk) would be nobody.
      if (config.get("lxc.rootfs.options")?.trim() !== IDMAPPED_ROOTFS)
        throw new AppError("PRECONDITION_FAILED", said("passThroughNeedsIdmapped", { name }));
      const users = splitAround(maps, "u", hostId);
      const groups = splitAround(maps, "g", hostId);
      if (
        passedThrough(maps, "u").includes(hostId) ||
        passedThrough(maps, "g").includes(hostId) ||
        users === null ||
        groups === null
      )
        throw new AppError("CONFLICT", said("passThroughNotMapped", { name, id: hostId }));
      const values = [...users, ...groups].map((map) => `${map.type} ${map.inside} ${map.host} ${map.count}`);

      // Root's line for that id, checked in both files before anything is written.
      type TSubidFile = { file: string; handle: FileHandle; current: string; size: number; granted: boolean };
      const subids: TSubidFile[] = [];
      const checkSubids = async (file: string) => {
        const handle = await open(
          file,
          constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_CREAT,
          0o644,
        );
        const opened: TSubidFile = { file, handle, current: "", size: 0, granted: false };
        subids.push(opened);
        const fail = (problem: string) =>
          new AppError("PRECONDITION_FAILED", said("passThroughSubids", { file, problem, id: hostId }));
        const info = await handle.stat();
        if (!info.isFile() || info.size > 1024 * 1024) throw fail("not a regular file of a sensible size");
        opened.size = info.size;
        opened.current = await handle.readFile("utf8");
        const lines = parseSubids(opened.current);
        const odd = lines.find((line) => "unreadable" in line);
        if (odd && "unreadable" in odd)
          throw fail(`line ${odd.line} is not of the plain form owner:first:count`);
        const entries = lines.flatMap((line) => ("unreadable" in line ? [] : [line]));
        const covers = (entry: { first: number; count: number }) =>
          hostId >= entry.first && hostId < entry.first + entry.count;
        const isRoot = (owner: string) => owner === "root" || owner === "0";
        const other = entries.find((entry) => !isRoot(entry.owner) && covers(entry));
        if (other) throw fail(`${other.owner}:${other.first}:${other.count} gives that id to another user`);
        opened.granted = entries.some((entry) => isRoot(entry.owner) && covers(entry));
      };
      const added: string[] = [];
      try {
        for (const file of ["subuid", "subgid"]) await checkSubids(path.join(hostRoot, "etc", file));
        for (const file of subids) {
          if (file.granted) continue;
          const line = `root:${hostId}:1`;
          const addition = `${file.current === "" || file.current.endsWith("\n") ? "" : "\n"}${line}\n`;
          await file.handle.write(addition, file.size);
          await file.handle.sync();
          added.push(`${file.file}: ${line}`);
        }
      } finally {
        await Promise.all(subids.map((file) => file.handle.close()));
      }

      // The maps in place of the old ones, where the first was.
      const lines = text.split("\n");
      const isMap = (line: string) => /^[ \t]*lxc\.(idmap|id_map)[ \t]*=/.test(line);
      const first = lines.findIndex(isMap);
      const kept = lines.filter((line) => !isMap(line));
      kept.splice(first === -1 ? kept.length : first, 0, ...values.map((value) => `lxc.idmap = ${value}`));
      await writeConfig(name, kept.join("\n"), ticket);
      return { maps: values, subids: added };
    },
  } satisfies THandlers<typeof bindsContract>;
};
