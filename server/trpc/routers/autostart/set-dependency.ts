import { z } from "zod";
import { operatorProcedure } from "../../procedures";
import { ZAutostartSetDependencyRequestSchema } from "./autostart.types";

/** "Start NAME after A is running and answers": set, or cleared with null (checked by the helper: no circle). */
export const autostartSetDependencyRoute = operatorProcedure
  .input(ZAutostartSetDependencyRequestSchema)
  .output(z.null())
  .mutation(({ ctx, input }) => ctx.runtime.autostart.setDependency(input.name, input.dependency));
