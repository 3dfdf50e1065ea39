import { z } from "zod";
import { ZContainerName } from "../../../schemas/container-name";
import { operatorProcedure } from "../../procedures";
import { ZConfigText, ZSaveConfigResponseSchema } from "./config.types";

export const ZImportAsNewRequestSchema = z.object({ name: ZContainerName, raw: ZConfigText }).strict();

/**
 * Creates a container from an imported config: checked first (400 with data.problems, nothing created), then a
 * busybox root filesystem, then the config (its rootfs path and hostname set to the new container's).
 */
export const importAsNewRoute = operatorProcedure
  .input(ZImportAsNewRequestSchema)
  .output(ZSaveConfigResponseSchema)
  .mutation(({ ctx, input }) => {
    return ctx.runtime.config.importAsNew({
      ...input,
      actor: ctx.principal.username,
      role: ctx.principal.role,
    });
  });
