import { z } from "zod";
import { op } from "./define";

/**
 * LXC's template cache (ATELIER_LXC_CACHE): the debian template's systems (rootfs-RELEASE-ARCH) and the partial
 * downloads a killed template leaves (partial-RELEASE-ARCH).
 */
export const CACHE_ENTRY = /^(rootfs|partial)-[a-z]+-[a-z0-9]+$/;
export const ZCacheEntry = z.string().regex(CACHE_ENTRY, "not a cache entry");

export const ZCachedEntry = z.object({
  name: z.string(),
  /** Bytes it takes (du), or null when du could not say. */
  bytes: z.number().nullable(),
});
export type TCachedEntry = z.infer<typeof ZCachedEntry>;

/** rm -r of a cached system (hundreds of megabytes, many small files) on a slow disk. */
const REMOVAL_MS = 5 * 60 * 1000;

export const cacheContract = {
  list: op({
    input: z.object({}).strict(),
    output: z.array(ZCachedEntry),
    // du runs on the entries side by side, each for two minutes at most.
    timeoutMs: 180 * 1000,
    summary: "The debian template's cache entries with their sizes (du)",
  }),
  remove: op({
    input: z.object({ entry: ZCacheEntry }).strict(),
    output: z.null(),
    timeoutMs: REMOVAL_MS,
    summary: "Removes one cache entry",
  }),
  removePartials: op({
    input: z.object({}).strict(),
    output: z.null(),
    timeoutMs: REMOVAL_MS,
    summary: "Removes the partial downloads a killed debian template left",
  }),
};
