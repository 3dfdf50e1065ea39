import { constants } from "node:fs";
import { open, readdir } from "node:fs/promises";
import path from "node:path";

/** A config file's text, or "" when it is not a regular file of a config's size (never read through a link). */
export const readConfigText = async (file: string) => {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => null);
  if (!handle) return "";
  try {
    const info = await handle.stat();
    return info.isFile() && info.size <= 1024 * 1024 ? await handle.readFile("utf8") : "";
  } finally {
    await handle.close();
  }
};

/** The configs of every container of the lxcpath but `except`, by name (for checks across containers). */
export const otherConfigs = async (lxcPath: string, except: string) => {
  const names = (await readdir(lxcPath).catch(() => [] as string[])).filter((name) => name !== except);
  return Promise.all(
    names.map(async (name) => ({ name, text: await readConfigText(path.join(lxcPath, name, "config")) })),
  );
};
