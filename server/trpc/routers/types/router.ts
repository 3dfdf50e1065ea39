import { z } from "zod";
import { ZContainerName } from "../../../schemas/container-name";
import { TYPE_NAME } from "../../../provision/types";
import { ZWizardForm } from "../../../schemas/create-container";
import { says } from "../../../schemas/issue-words";
import { operatorProcedure, router, viewerProcedure } from "../../procedures";

const ZTypeName = z.string().regex(TYPE_NAME, says("validation.containers.typeName"));
const ZType = z.object({ name: z.string(), form: z.unknown(), author: z.string(), createdAt: z.date() });

/** Types: saved creation forms; a clone form makes an existing container the type. */
export const typesRouter = router({
  list: viewerProcedure.output(z.array(ZType)).query(({ ctx }) => ctx.runtime.types.list()),
  /** Saves (or replaces) a type; a root password is never stored. */
  save: operatorProcedure
    .input(z.object({ name: ZTypeName, form: ZWizardForm }).strict())
    .output(ZType.optional())
    .mutation(({ ctx, input }) => ctx.runtime.types.save({ ...input, actor: ctx.principal.username })),
  delete: operatorProcedure
    .input(z.object({ name: ZTypeName }).strict())
    .output(z.void())
    .mutation(({ ctx, input }) => ctx.runtime.types.remove(input.name)),
  /** A new container from a type: only its name is asked. Answers `{ name, jobId }` at once. */
  createFrom: operatorProcedure
    .input(z.object({ type: ZTypeName, name: ZContainerName }).strict())
    .output(z.object({ name: z.string(), jobId: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const { name, jobId } = await ctx.runtime.types.createFrom({ ...input, actor: ctx.principal });
      return { name, jobId };
    }),
});
