import { constants, type Stats } from "node:fs";
import { open, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { AppError, said } from "../errors";
import { writeAtomically } from "../helper/write-atomically";
import { LxcConfig } from "../schemas/lxc-config/model";
import { openRootfs, type TRootfs } from ".";

/**
 * The hostname of a clone or a restored snapshot, which LXC would write itself. liblxc 5.0's clone
 * (lxccontainer.c: do_lxcapi_clone, then clone_update_rootfs) writes one file inside a root filesystem:
 * `<rootfs>/etc/hostname`, with fopen(..., "w") as root, on the host, no chroot, every component followed, when
 * stat() finds it (through links too). Unless `-K` (LXC_CLONE_KEEPNAME): lxc-copy passes it on request,
 * lxc-snapshot (create) always, lxc-snapshot -r (in place or -N) never. For an overlay rootfs the write goes through
 * the overlay mounted in a private mount namespace: a regular file is copied up into the delta, a link is followed
 * from the host's `/`.
 *
 * So Atelier clones with `-K` and writes the name here instead: `lxc.uts.name` in the config (what LXC sets) and
 * `etc/hostname` through the rootfs module (resolved inside the rootfs; a link there is replaced, never followed).
 * A restore in place, which only lxc-snapshot can do, is checked first (`restoreHostnameProblem`).
 */
export const HOSTNAME_FILE = "etc/hostname";

/** A container's root filesystem as its config names it, in the two kinds Atelier can look into. */
export type TRootfsStorage =
  | { kind: "dir"; path: string }
  /** overlay:LOWER[:LOWER...]:UPPER (liblxc's ovl_mount: the upper layer follows the last ":/"), lowers top first. */
  | { kind: "overlay"; upper: string; lowers: string[] }
  | { kind: "other"; value: string };

export const storageOf = async (value: string | undefined): Promise<TRootfsStorage> => {
  const raw = value ?? "";
  const overlay = /^overlay(?:fs)?:(.+)$/.exec(raw)?.[1];
  if (overlay !== undefined) {
    const cut = overlay.lastIndexOf(":/");
    if (cut > 0 && overlay.startsWith("/"))
      return { kind: "overlay", upper: overlay.slice(cut + 1), lowers: overlay.slice(0, cut).split(":") };
    return { kind: "other", value: raw };
  }
  const dir = raw.startsWith("dir:") ? raw.slice("dir:".length) : raw;
  if (dir.startsWith("/") && !dir.includes(":") && (await stat(dir).catch(() => null))?.isDirectory())
    return { kind: "dir", path: dir };
  return { kind: "other", value: raw };
};

/** A config LXC wrote (a regular file, never read through a link). */
export const readContainerConfig = async (file: string) => {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    if (!(await handle.stat()).isFile())
      throw new AppError("PRECONDITION_FAILED", said("configNotRegularFile", { file }));
    return LxcConfig.parse(await handle.readFile("utf8"));
  } finally {
    await handle.close();
  }
};

export const isWhiteout = (stats: Stats) => stats.isCharacterDevice() && stats.rdev === 0;

/**
 * `etc` or `etc/hostname` as a mount of these layers shows it (one layer: a directory rootfs), looked up from the
 * top layer down as overlayfs does: a whiteout or a non-directory hides the layers below, directories merge.
 * `layer` is the layer that decided (null: none has it). Opaque directories are not told apart (Node reads no
 * xattrs): the layers below one are consulted as if it were not, which makes a check only stricter.
 */
type TFound = { stats: Stats | null; layer: number | null };
const lookup = async (layers: TRootfs[], relative: "etc" | typeof HOSTNAME_FILE): Promise<TFound> => {
  for (const [index, layer] of layers.entries()) {
    if (relative !== "etc") {
      const parent = await layer.lstat("etc");
      if (parent === null) continue;
      if (!parent.isDirectory()) return { stats: null, layer: index };
    }
    const stats = await layer.lstat(relative);
    if (stats === null) continue;
    return { stats: isWhiteout(stats) ? null : stats, layer: index };
  }
  return { stats: null, layer: null };
};

export const layersOf = (storage: Extract<TRootfsStorage, { kind: "dir" | "overlay" }>) =>
  storage.kind === "dir"
    ? [openRootfs(storage.path)]
    : [openRootfs(storage.upper), ...storage.lowers.map((lower) => openRootfs(lower))];

/**
 * After `lxc-copy -K` (a clone, or a snapshot restored as a new container): the new name as its hostname, where LXC
 * would have put it. `etc/hostname` is written only where the guest has one (a file or a link, as stat() would find
 * it), as LXC does: a link there is replaced by a regular file (LXC followed it, wherever it led). In an overlay the
 * file goes into the upper layer (with `etc` made there if only a lower layer has it, with that directory's mode
 * and owner); an `etc` that is a link in the overlay's view is left as it is.
 */
export const setGuestHostname = async (containerDir: string, name: string) => {
  const configFile = path.join(containerDir, "config");
  const config = await readContainerConfig(configFile);
  await writeAtomically(configFile, config.set("lxc.uts.name", name).toString());
  const storage = await storageOf(config.get("lxc.rootfs.path"));
  if (storage.kind === "other")
    throw new AppError(
      "PRECONDITION_FAILED",
      said("hostnameStorageUnsupported", { name, storage: storage.value }),
    );
  if (storage.kind === "dir") {
    // Directories on the way are followed inside the rootfs (a guest's `etc -> /data/etc` names its own /data/etc).
    const rootfs = openRootfs(storage.path);
    // A path the module refuses to walk (a file or a loop of links on the way) is no file of the guest's to update.
    const existing = await rootfs.lstat(HOSTNAME_FILE).catch((error: unknown) => {
      if (error instanceof AppError) return null;
      throw error;
    });
    if (existing?.isFile() || existing?.isSymbolicLink()) await rootfs.writeFile(HOSTNAME_FILE, name);
    return;
  }
  const layers = layersOf(storage);
  const [upper] = layers;
  const etc = await lookup(layers, "etc");
  if (!upper || !etc.stats?.isDirectory()) return;
  const file = await lookup(layers, HOSTNAME_FILE);
  if (!file.stats || !(file.stats.isFile() || file.stats.isSymbolicLink())) return;
  const owner = (stats: Stats) => ({ mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid });
  if (etc.layer !== 0) await upper.mkdir("etc", owner(etc.stats));
  await upper.writeFile(
    HOSTNAME_FILE,
    name,
    file.layer !== 0 && file.stats.isFile() ? owner(file.stats) : {},
  );
};

/** Where liblxc keeps a container's snapshots (get_snappath_dir): LXCPATHsnaps/NAME if that exists, else NAME/snaps. */
export const snapshotsDirOf = async (lxcPath: string, name: string) =>
  (await stat(`${lxcPath}snaps`).catch(() => null))?.isDirectory()
    ? path.join(`${lxcPath}snaps`, name)
    : path.join(lxcPath, name, "snaps");

/**
 * Whether `lxc-snapshot -r` may run on this snapshot: it writes `etc/hostname` in the restored rootfs (a copy of
 * the snapshot's, or for an overlay the snapshot's delta copied over the same lower layers) as root on the host,
 * following every link. Null when that write stays inside it: `etc` and `etc/hostname` are absent, or a directory
 * and a regular file (or anything fopen fails on). Otherwise what is wrong: a link at either (to a host path in
 * LXC's eyes, since it does not chroot), a device, socket or FIFO (a write to a device node reaches the host's
 * device; a FIFO blocks), or a decision left to an overlay's lower layer, which is another container's root
 * filesystem and can change (into a link) between this check and LXC's write.
 */
export const restoreHostnameRisk = async (snapshotDir: string): Promise<TRestoreRisk | null> => {
  const config = await readContainerConfig(path.join(snapshotDir, "config"));
  const storage = await storageOf(config.get("lxc.rootfs.path"));
  if (storage.kind === "other") return { problem: "storage", storage: storage.value };
  const layers = layersOf(storage);
  const leftToLower = ({ layer }: TFound) => (layer === null ? layers.length > 1 : layer > 0);
  const lower = storage.kind === "overlay" ? storage.lowers.join(", ") : "";
  const etc = await lookup(layers, "etc");
  if (leftToLower(etc)) return { problem: "shared", what: "etc", lower };
  if (etc.stats?.isSymbolicLink()) return { problem: "etcLink" };
  if (!etc.stats?.isDirectory()) return null;
  const file = await lookup(layers, HOSTNAME_FILE);
  if (leftToLower(file)) return { problem: "shared", what: HOSTNAME_FILE, lower };
  if (!file.stats || file.stats.isFile() || file.stats.isDirectory()) return null;
  return { problem: file.stats.isSymbolicLink() ? "hostnameLink" : "hostnameDevice", file: HOSTNAME_FILE };
};

/**
 * What restoreHostnameRisk found, as values of the refusal's sentence (restoreInPlaceUnsafe in the catalogue, whose
 * `problem` select words each).
 */
export type TRestoreRisk =
  | { problem: "storage"; storage: string }
  | { problem: "shared"; what: string; lower: string }
  | { problem: "etcLink" }
  | { problem: "hostnameLink" | "hostnameDevice"; file: string };

/** The same, in English words. */
export const restoreHostnameProblem = async (snapshotDir: string): Promise<string | null> => {
  const risk = await restoreHostnameRisk(snapshotDir);
  if (risk === null) return null;
  switch (risk.problem) {
    case "storage":
      return `its root filesystem (${risk.storage}) is not a directory or an overlay Atelier can look into`;
    case "shared":
      return `what ${risk.what} is would be decided by the overlay's lower layer (${risk.lower}), the root filesystem of another container, which can make it a link while the restore runs`;
    case "etcLink":
      return "etc in the snapshot is a symbolic link";
    case "hostnameLink":
      return `${risk.file} in the snapshot is a symbolic link`;
    case "hostnameDevice":
      return `${risk.file} in the snapshot is a device, socket or FIFO`;
  }
};

/** liblxc's has_fs_snapshots: LXC restores no snapshot of a container that overlay clones or snapshots depend on. */
export const hasDependents = async (containerDir: string) => {
  const text = await readFile(path.join(containerDir, "lxc_snapshots"), "utf8").catch(() => "");
  if (text.length === 0) return false;
  const count = /^\s*([+-]?\d+)/.exec(text)?.[1];
  return count === undefined ? true : Number(count) !== 0;
};
