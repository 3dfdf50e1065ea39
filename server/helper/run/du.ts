import path from "node:path";
import { isRunError, run } from "./runner";

/**
 * Bytes a directory takes (`du -sbD`), or null when du cannot say (missing, failed, too slow). `-D` follows the path
 * itself when it is a link (a cache entry linked in), never the links inside: a root filesystem is full of absolute
 * links that would point at the host's own files.
 */
const TIMEOUT_MS = 120_000;

export const diskUsage = async (dir: string): Promise<number | null> => {
  if (!path.isAbsolute(dir) || dir.includes("\0")) throw new Error(`du: not an absolute path: ${dir}`);
  try {
    const result = await run("du", ["-sbD", "--", dir], { timeoutMs: TIMEOUT_MS, package: "coreutils" });
    const bytes = Number(result.stdout.split("\t")[0]);
    return result.exitCode === 0 && Number.isFinite(bytes) ? bytes : null;
  } catch (error) {
    if (isRunError(error)) return null;
    throw error;
  }
};
