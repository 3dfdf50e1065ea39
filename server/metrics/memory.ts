import { readFile } from "node:fs/promises";
import { detectLayout, type TCgroupLayout } from "./layout";
import { parseNumber } from "./parse";

let layout: TCgroupLayout | undefined;

/**
 * Memory in use by a running container, from its memory cgroup (a file read, not a process), at the path the
 * machine's cgroup layout gives (detected once from /proc/self/mountinfo).
 */
export const memoryInUse = async (name: string): Promise<number | null> => {
  layout ??= detectLayout();
  const dir = layout.dirs(name).memory;
  if (!dir) return null;
  const file = layout.version === 2 ? `${dir}/memory.current` : `${dir}/memory.usage_in_bytes`;
  const value = parseNumber(await readFile(file, "utf8").catch(() => ""));
  return value !== null && value > 0 ? value : null;
};
