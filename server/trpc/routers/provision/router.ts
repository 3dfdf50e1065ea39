import { z } from "zod";
import { adminProcedure, router, viewerProcedure } from "../../procedures";

const ZCache = z.object({
  dir: z.string(),
  entries: z.array(z.object({ name: z.string(), bytes: z.number().nullable(), isPartial: z.boolean() })),
});

/** LXC's template cache (debian root filesystems by release and architecture). */
export const provisionRouter = router({
  cache: viewerProcedure.output(ZCache).query(({ ctx }) => ctx.runtime.provision.cache()),
  clearCache: adminProcedure
    .input(z.object({ entry: z.string().max(100) }).strict())
    .output(ZCache)
    .mutation(({ ctx, input }) => ctx.runtime.provision.clearCache(input.entry)),
});
