import { constants } from "node:fs";
import { open, opendir, stat } from "node:fs/promises";
import path from "node:path";
import { LxcConfig, type TConfigEntry } from "../schemas/lxc-config/model";

/**
 * A container's config as liblxc 5 loads it: its own lines, each `lxc.include` expanded in place
 * (confile.c, set_config_includefiles): a value that ends in "/" or names a directory includes every entry of that
 * directory whose name ends in ".conf" (and is longer than ".conf"), in the order readdir gives them, a missing
 * directory nothing; any other value is a file, read following links (a missing one makes liblxc refuse the
 * config). An empty `lxc.include` clears nothing liblxc has read. So LXC's shipped files (common.conf, which
 * includes common.conf.d/, and every distribution's common file that includes it) count as the container's lines,
 * for the keys the helper must know before a clone or a start: `lxc.hook.clone`, `lxc.mount.entry`,
 * `lxc.mount.auto`, `lxc.autodev`, `lxc.rootfs.path`.
 *
 * Each file is read as the model reads it (`LxcConfig`), after the two things liblxc does to a whole file first: it
 * stops at a NUL byte, and a lone "\r" ends a line. `unread` lists what could not be read (a file that is missing,
 * too large or nested too deep): whoever uses the entries decides what that means (a clone hook may hide there).
 * Runs in the helper, as root: nothing read here is ever sent back, only what the checks conclude.
 */
export type TExpandedEntry = TConfigEntry & {
  /** The file the line is in (the container's config, or an included file). */
  file: string;
};

export type TExpandedConfig = { entries: TExpandedEntry[]; unread: { file: string; why: string }[] };

/** liblxc has no bound; a loop of includes would recurse until it fails. */
const MAX_DEPTH = 16;
const MAX_BYTES = 4 * 1024 * 1024;

/** The text as liblxc's line reader sees it: up to a NUL byte, lone carriage returns ending lines. */
const asLiblxcReads = (text: string) => {
  const nul = text.indexOf("\0");
  return (nul === -1 ? text : text.slice(0, nul)).replace(/\r(?!\n)/g, "\n");
};

const readText = async (file: string, flags: number) => {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | flags);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new Error("not a regular file");
    if (stats.size > MAX_BYTES) throw new Error("larger than 4 MiB");
    return await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
};

/** A directory's `*.conf` entries in readdir's own order (fs.readdir sorts; liblxc does not). */
const confEntries = async (dir: string) => {
  const names: string[] = [];
  for await (const entry of await opendir(dir))
    if (entry.name.length >= 6 && entry.name.endsWith(".conf")) names.push(entry.name);
  return names;
};

/**
 * The entries of `file` (the container's own config: opened without following a link, as LXC wrote it) with their
 * includes expanded. `text`, when given, is the config's text already read.
 */
export const readConfigWithIncludes = async (file: string, text?: string): Promise<TExpandedConfig> => {
  const entries: TExpandedEntry[] = [];
  const unread: TExpandedConfig["unread"] = [];

  const expand = async (name: string, content: string, depth: number): Promise<void> => {
    for (const entry of LxcConfig.parse(asLiblxcReads(content)).entries()) {
      entries.push({ ...entry, file: name });
      if (entry.key !== "lxc.include" || entry.value === "") continue;
      // liblxc opens the value as it is: a relative one from lxc-start's (the helper's) working directory.
      const value = path.resolve(entry.value);
      if (depth >= MAX_DEPTH) {
        unread.push({ file: value, why: `included more than ${MAX_DEPTH} levels deep` });
        continue;
      }
      const isDirectory =
        entry.value.endsWith("/") || (await stat(value).catch(() => null))?.isDirectory() === true;
      if (isDirectory) {
        const names = await confEntries(value).catch((error: NodeJS.ErrnoException) => {
          if (error.code === "ENOENT") return [];
          unread.push({ file: value, why: error.message });
          return [];
        });
        for (const child of names) await include(path.join(value, child), depth + 1);
      } else await include(value, depth + 1);
    }
  };

  const include = async (name: string, depth: number) => {
    const content = await readText(name, 0).catch((error: Error) => {
      unread.push({ file: name, why: error.message });
      return null;
    });
    if (content !== null) await expand(name, content, depth);
  };

  await expand(file, text ?? (await readText(file, constants.O_NOFOLLOW)), 0);
  return { entries, unread };
};

/**
 * The clone hooks liblxc would run for this config (confile.c, set_config_hooks: `lxc.hook.clone =` with no value
 * clears the clone hooks read so far, `lxc.hook =` every hook).
 */
export const cloneHooksOf = ({ entries }: TExpandedConfig) => {
  let hooks: TExpandedEntry[] = [];
  for (const entry of entries) {
    if (entry.key === "lxc.hook.clone") hooks = entry.value === "" ? [] : [...hooks, entry];
    else if (entry.key === "lxc.hook" && entry.value === "") hooks = [];
  }
  return hooks;
};

/** The last value of a key liblxc keeps one of, over the expanded entries. */
export const lastValueOf = ({ entries }: TExpandedConfig, key: string) =>
  entries.filter((entry) => entry.key === key).at(-1)?.value;
