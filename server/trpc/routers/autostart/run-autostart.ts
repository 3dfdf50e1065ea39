import { operatorProcedure } from "../../procedures";
import { ZAutostartRunRequestSchema, ZJobStartedSchema } from "./autostart.types";

/** Starts (in order, with delays and dependencies) or stops (in reverse) a group or the boot's groups: a job. */
export const autostartRunRoute = operatorProcedure
  .input(ZAutostartRunRequestSchema)
  .output(ZJobStartedSchema)
  .mutation(async ({ ctx, input }) => {
    const { jobId } = await ctx.runtime.autostart.run({ ...input, actor: ctx.principal.username });
    return { jobId };
  });
