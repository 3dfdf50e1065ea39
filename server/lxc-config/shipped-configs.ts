import { readdirSync, statSync } from "node:fs";
import path from "node:path";

/** Every config file LXC ships under a directory (the lxc package installs /usr/share/lxc/config): a test corpus. */
export const shippedConfigs = (dir = "/usr/share/lxc/config"): string[] =>
  readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? shippedConfigs(full) : entry.endsWith(".conf") ? [full] : [];
  });
