import { z } from "zod";
import { ZContainerName } from "../../../schemas/container-name";
import { ZCreateContainerResponseSchema } from "../../../schemas/create-container";
import { operatorProcedure } from "../../procedures";
import { ZConfigText } from "./config.types";

export const ZImportAsNewRequestSchema = z.object({ name: ZContainerName, raw: ZConfigText }).strict();

/**
 * Creates a container from an imported config: the creation path of every container (containers.create with the
 * root filesystem `{ kind: "config", raw }`), waited for. Checked first (400 with data.problems, 403 naming a line
 * the role may not write; nothing created), then a busybox root filesystem, then the config (its rootfs path and
 * hostname set to the new container's).
 */
export const importAsNewRoute = operatorProcedure
  .input(ZImportAsNewRequestSchema)
  .output(ZCreateContainerResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.runtime.provision.createAndWait(
      { name: input.name, rootfs: { kind: "config", raw: input.raw } },
      ctx.principal,
    ),
  );
