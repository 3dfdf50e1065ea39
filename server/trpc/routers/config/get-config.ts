import { lookupKey } from "../../../lxc-config/catalogue";
import { LxcConfig } from "../../../lxc-config/model";
import { validateConfig } from "../../../lxc-config/validate";
import { viewerProcedure } from "../../procedures";
import { ZConfigNameRequestSchema, ZGetConfigResponseSchema } from "./config.types";

/** A container's config: the text, its version id, its entries with what the catalogue says, and its problems. */
export const getConfigRoute = viewerProcedure
  .input(ZConfigNameRequestSchema)
  .output(ZGetConfigResponseSchema)
  .query(async ({ ctx, input }) => {
    const current = await ctx.runtime.config.read(input.name);
    const entries = LxcConfig.parse(current.raw)
      .entries()
      .map((entry) => {
        const info = lookupKey(entry.key);
        return {
          ...entry,
          section: info?.section ?? null,
          description: info?.description ?? null,
          apply: info?.apply ?? null,
        };
      });
    return {
      ...current,
      entries,
      problems: validateConfig(current.raw),
      cgroup: ctx.runtime.metrics.layout.version === 2 ? ("v2" as const) : ("v1" as const),
    };
  });
