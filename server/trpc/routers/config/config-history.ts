import { redactSecrets } from "../../../schemas/lxc-config/privileges";
import { viewerProcedure } from "../../procedures";
import {
  ZConfigHistoryResponseSchema,
  ZConfigNameRequestSchema,
  ZConfigVersionRequestSchema,
  ZConfigVersionResponseSchema,
} from "./config.types";

/** Every version of a container's config written through Atelier, newest first (without their text). */
export const configHistoryRoute = viewerProcedure
  .input(ZConfigNameRequestSchema)
  .output(ZConfigHistoryResponseSchema)
  .query(({ ctx, input }) => ctx.runtime.config.history(input.name));

/** One version's text. */
export const configVersionRoute = viewerProcedure
  .input(ZConfigVersionRequestSchema)
  .output(ZConfigVersionResponseSchema)
  .query(async ({ ctx, input }) => {
    const row = await ctx.runtime.config.versionContent(input.name, input.id);
    return ctx.principal.role === "viewer" ? { ...row, content: redactSecrets(row.content) } : row;
  });
