import { stat } from "node:fs/promises";
import { LxcConfig } from "../schemas/lxc-config/model";
import type { TConfigProblem } from "../schemas/lxc-config/validate";

/**
 * Paths on the host the config names that do not exist (an imported config often points elsewhere): warnings. Run
 * by the helper (`config.hostPaths`): a container's directory is root's alone.
 */
export const checkHostPaths = async (raw: string): Promise<TConfigProblem[]> => {
  const config = LxcConfig.parse(raw);
  const problems: TConfigProblem[] = [];
  for (const entry of config.entries()) {
    if (entry.key === "lxc.mount.fstab" && entry.value.trim().startsWith("/")) {
      if (!(await stat(entry.value.trim()).catch(() => null))?.isFile()) {
        problems.push({
          line: entry.line,
          key: entry.key,
          severity: "warning",
          message: `lxc.mount.fstab names ${entry.value.trim()}, which does not exist on this host: the container will not start`,
        });
      }
      continue;
    }
    if (entry.key !== "lxc.rootfs.path") continue;
    const value = entry.value.trim();
    // dir:/path or a plain path; other backends (lvm, zfs, overlay...) are not checked here.
    const dir = value.startsWith("dir:") ? value.slice(4) : value.startsWith("/") ? value : null;
    if (dir && !(await stat(dir).catch(() => null))?.isDirectory()) {
      problems.push({
        line: entry.line,
        key: entry.key,
        severity: "warning",
        message: `lxc.rootfs.path names ${dir}, which is not a directory on this host: the container will not start`,
      });
    }
  }
  return problems;
};
