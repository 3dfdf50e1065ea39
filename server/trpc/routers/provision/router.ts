import { z } from "zod";
import { ZWizardForm } from "../../../schemas/create-container";
import { adminProcedure, operatorProcedure, router, viewerProcedure } from "../../procedures";

const ZCache = z.object({
  dir: z.string(),
  entries: z.array(z.object({ name: z.string(), bytes: z.number().nullable(), isPartial: z.boolean() })),
});

/** LXC's template cache (debian root filesystems by release and architecture). */
export const provisionRouter = router({
  /** The config lines a creation form adds (network, limits, autostart) to the default config: the wizard's summary. */
  // A query travels in the URL (logs, history): the form without its access part, so no password ever does.
  preview: operatorProcedure
    .input(ZWizardForm.omit({ access: true }).strict())
    .output(z.object({ base: z.string().nullable(), config: z.string(), added: z.array(z.string()) }))
    .query(({ ctx, input }) => ctx.runtime.provision.preview(input)),
  cache: viewerProcedure.output(ZCache).query(({ ctx }) => ctx.runtime.provision.cache()),
  clearCache: adminProcedure
    .input(z.object({ entry: z.string().max(100) }).strict())
    .output(ZCache)
    .mutation(({ ctx, input }) => ctx.runtime.provision.clearCache(input.entry)),
});
