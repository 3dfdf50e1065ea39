import { readFile } from "node:fs/promises";
import path from "node:path";
import { AppError, said } from "../errors";
import { BUSYBOX_RCS } from "./busybox-init";
import { LxcConfig } from "../schemas/lxc-config/model";
import { openRootfs } from ".";
import { setRootPassword } from "./shadow";
import { IDMAPPED_ROOTFS, idMapsOf, mappedRoot } from "../schemas/idmap";

/**
 * The files provisioning writes into a new container's root filesystem (run by the helper, `rootfs.prepare`): the
 * busybox init, Debian's network file, the root password, an SSH key. Everything goes through the rootfs module: the
 * guest's symlinks are followed inside it, never out of it, and no program of the guest runs.
 */
export type TGuestFiles = {
  /** A busybox rootfs (or a clone of one): Atelier's init goes in (./busybox-init.ts). */
  busyboxInit: boolean;
  /** The network mode given in the creation form, if any: Debian guests get an eth0 stanza to match. */
  network: "static" | "dhcp" | null;
  rootPassword?: string | undefined;
  sshKey?: string | undefined;
};

/**
 * Where files of the container's root filesystem can be written: its directory, or for an overlay clone the
 * overlay's upper layer (the source stays untouched); and where to look for what is already there.
 */
const rootfsLayers = async (lxcPath: string, name: string) => {
  const config = LxcConfig.parse(await readFile(path.join(lxcPath, name, "config"), "utf8"));
  const value = config.get("lxc.rootfs.path");
  // A root filesystem whose owners were shifted into the container's range (not mounted idmapped): what is made
  // there belongs to the container's root, the range's first id, or it would show as nobody inside.
  const root = mappedRoot(idMapsOf(config.entries()));
  const owner =
    root && config.get("lxc.rootfs.options")?.trim() !== IDMAPPED_ROOTFS
      ? { uid: root.uid, gid: root.gid }
      : {};
  const overlay = /^overlayf?s?:(.+):(.+)$/.exec(value ?? "");
  if (overlay?.[1] && overlay[2]) return { writable: overlay[2], lower: overlay[1], isOverlay: true, owner };
  const dir = (value ?? "").replace(/^dir:/, "") || path.join(lxcPath, name, "rootfs");
  return { writable: dir, lower: dir, isOverlay: false, owner };
};

export const writeGuestFiles = async (lxcPath: string, name: string, files: TGuestFiles) => {
  const layers = await rootfsLayers(lxcPath, name);
  const rootfs = openRootfs(layers.writable);
  const lower = openRootfs(layers.lower);
  const isDebian =
    (await rootfs.kind("etc/debian_version")) !== null || (await lower.kind("etc/debian_version")) !== null;
  if (files.busyboxInit && !isDebian) {
    // Clones of busybox containers made elsewhere get Atelier's init too.
    if ((await rootfs.kind("etc/init.d/rcS")) !== null && (await rootfs.kind("bin/busybox")) !== null)
      await rootfs.writeFile("etc/init.d/rcS", BUSYBOX_RCS, { mode: 0o744, ...layers.owner });
  }
  if (files.network && isDebian) {
    // LXC gives eth0 its static address; ifup must not wait for a DHCP answer that never comes.
    await rootfs.mkdir("etc/network", { mode: 0o755, ...layers.owner });
    await rootfs.writeFile(
      "etc/network/interfaces",
      [
        "auto lo",
        "iface lo inet loopback",
        "",
        "auto eth0",
        files.network === "static" ? "iface eth0 inet manual" : "iface eth0 inet dhcp",
        "",
      ].join("\n"),
      { mode: 0o644, ...layers.owner },
    );
  }
  if (files.rootPassword && layers.isOverlay)
    throw new AppError("BAD_REQUEST", { ...said("overlayCloneRootPassword"), field: "access.rootPassword" });
  // A SHA-512 crypt hash written into /etc/shadow: no program of the guest runs on the host.
  if (files.rootPassword) await setRootPassword(rootfs, files.rootPassword);
  if (files.sshKey) {
    // /root is 0700; in an overlay's upper layer it may not exist yet, and what is made there shadows the lower.
    await rootfs.mkdir("root/.ssh", { mode: 0o700, ...layers.owner });
    // An existing .ssh (or the directory a guest's link there names, inside the rootfs) must be root's alone.
    await rootfs.chmod("root/.ssh", 0o700, { followLast: true });
    await rootfs.writeFile("root/.ssh/authorized_keys", `${files.sshKey.trim()}\n`, {
      mode: 0o600,
      ...layers.owner,
    });
  }
};
