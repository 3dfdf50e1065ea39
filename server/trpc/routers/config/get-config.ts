import { lookupKey } from "../../../schemas/lxc-config/catalogue";
import { LxcConfig } from "../../../schemas/lxc-config/model";
import { redactSecrets } from "../../../schemas/lxc-config/privileges";
import { validateConfig } from "../../../schemas/lxc-config/validate";
import { viewerProcedure } from "../../procedures";
import { ZConfigNameRequestSchema, ZGetConfigResponseSchema } from "./config.types";

/** A container's config: the text, its version id, its entries with what the catalogue says, and its problems. */
export const getConfigRoute = viewerProcedure
  .input(ZConfigNameRequestSchema)
  .output(ZGetConfigResponseSchema)
  .query(async ({ ctx, input }) => {
    const read = await ctx.runtime.config.read(input.name);
    // Viewers never see secret-bearing values (lxc.environment); what is written stays as it is.
    const current = ctx.principal.role === "viewer" ? { ...read, raw: redactSecrets(read.raw) } : read;
    const locks = new Map(ctx.runtime.config.locks(input.name, read.raw).map((lock) => [lock.line, lock]));
    const entries = LxcConfig.parse(current.raw)
      .entries()
      .map((entry) => {
        const info = lookupKey(entry.key);
        return {
          ...entry,
          section: info?.section ?? null,
          description: info?.description ?? null,
          apply: info?.apply ?? null,
          adminOnly: locks.get(entry.line)?.reason ?? null,
          adminOnlyWords: locks.get(entry.line)?.reasonWords ?? null,
        };
      });
    return {
      ...current,
      entries,
      canWriteAdminLines: ctx.principal.role === "admin",
      bindRoots: ctx.runtime.settings.bindRoots,
      problems: validateConfig(current.raw),
      cgroup: ctx.runtime.metrics.layout.version === 2 ? ("v2" as const) : ("v1" as const),
    };
  });
