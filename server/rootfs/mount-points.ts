import path from "node:path";
import { parseMountEntry } from "../schemas/lxc-config/privileges";
import { readContainerConfig, storageOf } from "./hostname";
import { openRootfs } from ".";

/**
 * The mount points of a container's bind mounts, made by the helper before each start it makes, inside the root
 * filesystem (through the rootfs module: a guest's link on the way is followed inside the rootfs, never out). An
 * operator's mount line cannot say `create=dir` (liblxc would make the mount point as root at every start, a guest's
 * own reboot too, following the guest's links out of its rootfs): this is what makes the panel's bind mounts work
 * without it. A directory storage's rootfs, or an overlay's upper layer; other storages are left to liblxc.
 */
export const makeBindMountPoints = async ({ lxcPath, name }: { lxcPath: string; name: string }) => {
  const config = await readContainerConfig(path.join(lxcPath, name, "config"));
  const storage = await storageOf(config.get("lxc.rootfs.path"));
  const root = storage.kind === "dir" ? storage.path : storage.kind === "overlay" ? storage.upper : null;
  if (root === null) return;
  const rootfs = openRootfs(root);
  for (const { key, value } of config.entries()) {
    if (key !== "lxc.mount.entry") continue;
    const { target, options } = parseMountEntry(value);
    if (!options.includes("bind") && !options.includes("rbind")) continue;
    if (target === "" || target.startsWith("/") || target.split("/").includes("..")) continue;
    // A mount point that cannot be made (a file there, a device) is left for liblxc to report at start.
    if ((await rootfs.kind(target).catch(() => "other")) === null)
      await rootfs.mkdir(target, { mode: 0o755 }).catch(() => undefined);
  }
};
