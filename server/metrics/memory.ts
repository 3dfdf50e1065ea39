import { readFile } from "node:fs/promises";

/**
 * Memory in use by a running container, read from its cgroup: a file read, not a process. cgroup v1 (these
 * machines: memory controller at /sys/fs/cgroup/memory) first, then cgroup v2 (unified at /sys/fs/cgroup). The
 * resource-usage work replaces these conventional paths with ones read from /proc/self/mountinfo.
 */
const CANDIDATES = (name: string) => [
  `/sys/fs/cgroup/memory/lxc.payload.${name}/memory.usage_in_bytes`,
  `/sys/fs/cgroup/lxc.payload.${name}/memory.current`,
];

export const memoryInUse = async (name: string): Promise<number | null> => {
  for (const file of CANDIDATES(name)) {
    const value = Number((await readFile(file, "utf8").catch(() => "")).trim());
    if (Number.isFinite(value) && value > 0) return value;
  }
  return null;
};
