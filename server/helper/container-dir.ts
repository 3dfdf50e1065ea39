import { chmod, lchown, lstat } from "node:fs/promises";
import path from "node:path";
import { readContainerConfig } from "../rootfs/hostname";
import { IDMAPPED_ROOTFS } from "../schemas/idmap";

/**
 * Through an idmapped root filesystem (`lxc.rootfs.options = idmap=container`), what container root makes is host
 * root's on disk, a setuid-root program included: such a container's directory (its rootfs, its snapshots) must be
 * root's alone (0700 root:root), so that no host user but root reaches those files. liblxc gives a container's
 * directory to the mapped root whenever it makes one for a config with an id map (lxc-copy, lxc-snapshot -r in place
 * and as new: lxccontainer.c's do_create_container_dir), so this runs after each of those and again before every
 * start Atelier makes. A container without an idmapped rootfs is left as it is (a shifted one needs its mapped root
 * to reach the rootfs).
 */
export const closeIdmappedContainerDir = async (lxcPath: string, name: string) => {
  const dir = path.join(lxcPath, name);
  const config = await readContainerConfig(path.join(dir, "config")).catch(() => null);
  if (config?.get("lxc.rootfs.options")?.trim() !== IDMAPPED_ROOTFS) return false;
  const info = await lstat(dir);
  if (!info.isDirectory()) return false;
  if (info.uid !== 0 || info.gid !== 0) await lchown(dir, 0, 0);
  if ((info.mode & 0o077) !== 0) await chmod(dir, info.mode & 0o7700);
  return true;
};
