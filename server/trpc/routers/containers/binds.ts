import { z } from "zod";
import { ZBindsPicture } from "../../../helper/contract/binds";
import { ZContainerName } from "../../../schemas/container-name";
import { adminProcedure, operatorProcedure, viewerProcedure } from "../../procedures";

/**
 * Bind mounts of a container and who owns their sources (the helper's binds family): what its page shows, and the two
 * fixes for a source that is nobody inside an unprivileged container.
 */
export const bindsRoute = viewerProcedure
  .input(z.object({ name: ZContainerName }).strict())
  .output(ZBindsPicture)
  .query(({ ctx, input }) => ctx.runtime.helper.binds.inspect(input));

/**
 * Gives a bind source to the container's ids (host N+ID): inside ATELIER_BIND_ROOTS any operator, elsewhere an admin
 * (the helper asks for the admin's ticket), never one of the host's own directories.
 */
export const chownBindSourceRoute = operatorProcedure
  .input(
    z
      .object({
        name: ZContainerName,
        source: z.string().min(1).max(4096),
        insideUid: z.number().int().min(0).max(65535),
        insideGid: z.number().int().min(0).max(65535),
        recursive: z.boolean().default(true),
      })
      .strict(),
  )
  .output(
    z.object({
      uid: z.number().int(),
      gid: z.number().int(),
      changed: z.number().int(),
      skipped: z.number().int(),
    }),
  )
  .mutation(async ({ ctx, input }) => {
    const ticket = ctx.principal.adminTicket;
    const result = await ctx.runtime.helper.binds.chownSource({ ...input, ...(ticket ? { ticket } : {}) });
    return { uid: result.uid, gid: result.gid, changed: result.changed, skipped: result.skippedCount };
  });

/** Maps one host id through a stopped unprivileged container unchanged (admins: its root then acts as that user). */
export const passThroughIdRoute = adminProcedure
  .input(z.object({ name: ZContainerName, hostId: z.number().int().min(1000).max(65533) }).strict())
  .output(z.object({ maps: z.array(z.string()) }))
  .mutation(async ({ ctx, input }) => {
    const result = await ctx.runtime.helper.binds.passThrough({
      ...input,
      ticket: ctx.principal.adminTicket ?? "",
    });
    return { maps: result.maps };
  });
