import { randomBytes } from "node:crypto";
import { chown, open, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";

/**
 * Replaces a file so that, whatever happens (a crash, kill -9, power loss), it holds either the old content or the
 * new, never a mix: the new content goes to a temporary file in the same directory (same filesystem), is flushed to
 * disk, then renamed over the file, and the directory is flushed so the rename itself is durable. Mode and owner
 * are kept. Temporary files left by an interrupted write are removed first.
 */
const TEMP_PREFIX = ".atelier-write-";

export const writeAtomically = async (
  file: string,
  content: string,
  { newMode = 0o640 }: { newMode?: number } = {},
) => {
  const dir = path.dirname(file);
  const base = path.basename(file);
  for (const entry of await readdir(dir)) {
    if (entry.startsWith(`${TEMP_PREFIX}${base}.`)) await rm(path.join(dir, entry), { force: true });
  }
  const before = await stat(file).catch(() => null);
  const temp = path.join(dir, `${TEMP_PREFIX}${base}.${randomBytes(6).toString("hex")}`);
  const handle = await open(temp, "wx", before ? before.mode & 0o7777 : newMode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    if (before) await chown(temp, before.uid, before.gid);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  const directory = await open(dir, "r");
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
};
