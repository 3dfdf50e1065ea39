import { z } from "zod";
import { ZContainerName } from "../../../schemas/container-name";
import { says } from "../../../schemas/issue-words";
import { hasControl } from "../../../schemas/lxc-config/model";
import { ZSnapshotName } from "../../../schemas/snapshot-name";
import { operatorProcedure, router, viewerProcedure } from "../../procedures";

const ZJobStarted = z.object({ jobId: z.string() });

/** Snapshots of stopped containers (lxc-snapshot). */
export const snapshotsRouter = router({
  list: viewerProcedure
    .input(z.object({ name: ZContainerName }).strict())
    .output(
      z.array(
        z.object({
          name: z.string(),
          createdAt: z.date().nullable(),
          comment: z.string().nullable(),
          bytes: z.number().nullable(),
        }),
      ),
    )
    .query(({ ctx, input }) => ctx.runtime.snapshots.list(input.name)),
  /** A job; 412 while the container runs. */
  create: operatorProcedure
    .input(
      z
        .object({
          name: ZContainerName,
          comment: z
            .string()
            .max(500)
            .refine((value) => !hasControl(value), says("validation.text.oneLine"))
            .optional(),
        })
        .strict(),
    )
    .output(ZJobStarted)
    .mutation(async ({ ctx, input }) => {
      const { jobId } = await ctx.runtime.snapshots.create({ ...input, actor: ctx.principal.username });
      return { jobId };
    }),
  /** In place (the container stopped), or as a new container `newName`; a job. */
  restore: operatorProcedure
    .input(
      z
        .object({ name: ZContainerName, snapshot: ZSnapshotName, newName: ZContainerName.optional() })
        .strict(),
    )
    .output(ZJobStarted)
    .mutation(async ({ ctx, input }) => {
      const { jobId } = await ctx.runtime.snapshots.restore({
        ...input,
        actor: ctx.principal.username,
        adminTicket: ctx.principal.adminTicket,
      });
      return { jobId };
    }),
  delete: operatorProcedure
    .input(z.object({ name: ZContainerName, snapshot: ZSnapshotName }).strict())
    .output(z.array(z.object({ name: z.string() }).passthrough()))
    .mutation(({ ctx, input }) => ctx.runtime.snapshots.remove(input)),
});
