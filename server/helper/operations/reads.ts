import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { z } from "zod";
import { containerNotFound } from "../../lxc";
import { ZContainerName } from "../../schemas/container-name";
import { defineOperation } from "../operation";

/**
 * Reads that need root or a program: the template cache's entries and a container's snapshots with their sizes
 * (`du`, in directories only root reads). (The host's network: ../network/read.ts.)
 */
/**
 * Bytes a directory takes (`du -sb`), or null when du cannot say. `du -D` follows the path itself when it is a link
 * (a cache entry linked in), never the links inside: a root filesystem is full of absolute links that would point
 * at the host's own files.
 */
const bytesOf = async (dir: string) => {
  const result = await execa("du", ["-sbD", dir], { reject: false, stdin: "ignore" });
  const bytes = Number(result.stdout.split("\t")[0]);
  return result.exitCode === 0 && Number.isFinite(bytes) ? bytes : null;
};

const CACHE_ENTRY = /^(rootfs|partial)-[a-z]+-[a-z0-9]+$/;
const SNAPSHOT = /^snap\d{1,6}$/;

export const readOperations = ({ lxcPath, cacheDir }: { lxcPath: string; cacheDir: string }) => ({
  "cache.list": defineOperation({
    input: z.object({}).strict(),
    run: async () => {
      const dir = path.join(cacheDir, "debian");
      const entries = (await readdir(dir).catch(() => [] as string[])).filter((entry) =>
        CACHE_ENTRY.test(entry),
      );
      return Promise.all(entries.map(async (name) => ({ name, bytes: await bytesOf(path.join(dir, name)) })));
    },
  }),
  /** A container's snapshots: name, LXC's timestamp (host local time, as written), comment, size. */
  "snapshot.list": defineOperation({
    input: z.object({ name: ZContainerName }).strict(),
    run: async ({ name }) => {
      const snaps = path.join(lxcPath, name, "snaps");
      if (!(await readFile(path.join(lxcPath, name, "config")).catch(() => null)))
        throw containerNotFound(lxcPath, name);
      const entries = (await readdir(snaps).catch(() => [] as string[]))
        .filter((entry) => SNAPSHOT.test(entry))
        .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
      return Promise.all(
        entries.map(async (snapshot) => {
          const dir = path.join(snaps, snapshot);
          return {
            name: snapshot,
            ts: (await readFile(path.join(dir, "ts"), "utf8").catch(() => "")).trim(),
            comment: (await readFile(path.join(dir, "comment"), "utf8").catch(() => "")).trim(),
            bytes: await bytesOf(dir),
          };
        }),
      );
    },
  }),
});
