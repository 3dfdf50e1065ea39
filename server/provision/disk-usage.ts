import { execa } from "execa";

/**
 * Bytes a directory takes (`du -sb`), or null when du cannot say. `du -D` follows the path itself when it is a link
 * (a cache entry linked in), never the links inside: a root filesystem is full of absolute links that would point
 * at the host's own files.
 */
export const bytesOf = async (dir: string) => {
  const result = await execa("du", ["-sbD", dir], { reject: false, stdin: "ignore" });
  const bytes = Number(result.stdout.split("\t")[0]);
  return result.exitCode === 0 && Number.isFinite(bytes) ? bytes : null;
};
