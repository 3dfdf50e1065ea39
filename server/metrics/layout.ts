import { readFileSync } from "node:fs";
import path from "node:path";
import { parseCgroupMounts, type TCgroupMount } from "./parse";

/**
 * Where a container's cgroup files are, read from the system (/proc/self/mountinfo) rather than assumed:
 *
 * - cgroup v1 or hybrid (these machines): one hierarchy per controller, the container's group at the root of each
 *   (`/sys/fs/cgroup/memory/lxc.payload.NAME`); a cgroup2 mount, when there is one, still gives PSI pressure files.
 * - pure cgroup v2 (most current distributions): everything in one hierarchy with the controllers enabled.
 *
 * LXC 4 and later name a container's group `lxc.payload.NAME` (the default `lxc.cgroup.pattern`).
 */
export type TCgroupLayout = {
  version: 1 | 2;
  /** The directory of a container's group for each controller; null when that controller is not mounted. */
  dirs: (name: string) => TContainerDirs;
};

export type TContainerDirs = {
  cpu: string | null;
  memory: string | null;
  pids: string | null;
  io: string | null;
  cpuset: string | null;
  /** Where PSI pressure files are (the cgroup2 group), when the kernel provides them. */
  pressure: string | null;
};

const GROUP_PREFIX = "lxc.payload.";

export const layoutFromMounts = (
  mounts: TCgroupMount[],
  readControllers: (mountPoint: string) => string[] = readRootControllers,
): TCgroupLayout => {
  const unified = mounts.find((mount) => mount.version === 2);
  const unifiedControllers = unified ? readControllers(unified.mountPoint) : [];
  const group = (mountPoint: string | undefined) => (name: string) =>
    mountPoint === undefined ? null : path.join(mountPoint, `${GROUP_PREFIX}${name}`);

  if (unified && unifiedControllers.includes("memory")) {
    const at = group(unified.mountPoint);
    return {
      version: 2,
      dirs: (name) => {
        const dir = at(name);
        return { cpu: dir, memory: dir, pids: dir, io: dir, cpuset: dir, pressure: dir };
      },
    };
  }
  const v1 = (controller: string) =>
    group(mounts.find((mount) => mount.version === 1 && mount.controllers.includes(controller))?.mountPoint);
  const cpu = v1("cpuacct");
  const memory = v1("memory");
  const pids = v1("pids");
  const io = v1("blkio");
  const cpuset = v1("cpuset");
  const pressure = group(unified?.mountPoint);
  return {
    version: 1,
    dirs: (name) => ({
      cpu: cpu(name),
      memory: memory(name),
      pids: pids(name),
      io: io(name),
      cpuset: cpuset(name),
      pressure: pressure(name),
    }),
  };
};

const readRootControllers = (mountPoint: string) => {
  try {
    return readFileSync(path.join(mountPoint, "cgroup.controllers"), "utf8").trim().split(/\s+/);
  } catch {
    return [];
  }
};

/** The layout of this machine, detected once at start. */
export const detectLayout = (): TCgroupLayout =>
  layoutFromMounts(parseCgroupMounts(readFileSync("/proc/self/mountinfo", "utf8")));
