import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { AppError, said } from "../../errors";
import { CACHE_ENTRY, type cacheContract } from "../contract/cache";
import type { THandlers } from "../contract/define";
import { diskUsage } from "../run/du";

/**
 * LXC's template cache (the contract: ../contract/cache.ts): the debian template's entries under CACHE/debian,
 * listed with their sizes and removed by name; the names are checked against the one pattern the template uses.
 */
const PARTIAL = /^partial-[a-z]+-[a-z0-9]+$/;

export const cacheOperations = ({ cacheDir }: { cacheDir: string }) => {
  const dir = path.join(cacheDir, "debian");
  return {
    list: async () => {
      const entries = (await readdir(dir).catch(() => [] as string[])).filter((entry) =>
        CACHE_ENTRY.test(entry),
      );
      return Promise.all(
        entries.map(async (name) => ({ name, bytes: await diskUsage(path.join(dir, name)) })),
      );
    },
    remove: async ({ entry }) => {
      const target = path.join(dir, entry);
      if (!(await stat(target).catch(() => null)))
        throw new AppError("NOT_FOUND", said("cacheEntryMissing", { entry }));
      await rm(target, { recursive: true, force: true });
      return null;
    },
    /** The partial downloads the debian template leaves when it is killed. */
    removePartials: async () => {
      for (const entry of await readdir(dir).catch(() => [] as string[]))
        if (PARTIAL.test(entry)) await rm(path.join(dir, entry), { recursive: true, force: true });
      return null;
    },
  } satisfies THandlers<typeof cacheContract>;
};
