import { z } from "zod";
import { ZIdmapStatus } from "../../../helper/contract/idmap";
import { ZContainerName } from "../../../schemas/container-name";
import { operatorProcedure, viewerProcedure } from "../../procedures";

/** A container's id map as its config has it (its page's picture). */
export const isolationRoute = viewerProcedure
  .input(z.object({ name: ZContainerName }).strict())
  .output(
    z.object({
      unprivileged: z.boolean(),
      /** Container root on the host (uid and gid), or null for a privileged container. */
      root: z.object({ uid: z.number().int(), gid: z.number().int() }).nullable(),
      maps: z.array(
        z.object({
          type: z.enum(["u", "g"]),
          inside: z.number().int(),
          host: z.number().int(),
          count: z.number().int(),
        }),
      ),
      /** Whether its root filesystem is mounted idmapped (files keep their owners on disk). */
      idmappedRootfs: z.boolean(),
      /** Its range of Atelier's pool, or null (privileged, or a map an admin wrote). */
      slot: z.number().int().nullable(),
    }),
  )
  .query(({ ctx, input }) => ctx.runtime.isolation.picture(input.name));

/**
 * Converts a stopped container (a job, a snapshot first): to unprivileged, any operator; to privileged, an admin
 * (the helper asks for the admin's ticket).
 */
export const convertRoute = operatorProcedure
  .input(z.object({ name: ZContainerName, to: z.enum(["unprivileged", "privileged"]) }).strict())
  .output(z.object({ jobId: z.string() }))
  .mutation(async ({ ctx, input }) => {
    const { jobId } = await ctx.runtime.isolation.convert({ ...input, actor: ctx.principal });
    return { jobId };
  });

/** Whether unprivileged containers can run on this host (subordinate ids, idmapped mounts, lxcpath). */
export const hostIsolationRoute = operatorProcedure
  .input(z.object({}).strict().optional())
  .output(ZIdmapStatus.extend({ unprivilegedByDefault: z.boolean() }))
  .query(async ({ ctx }) => ({
    ...(await ctx.runtime.isolation.status()),
    unprivilegedByDefault: ctx.runtime.settings.unprivilegedByDefault,
  }));
