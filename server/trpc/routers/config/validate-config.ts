import { operatorProcedure } from "../../procedures";
import { ZValidateConfigRequestSchema, ZValidateConfigResponseSchema } from "./config.types";

/**
 * What saving this text would do, without writing anything: problems by line (ours, then liblxc's parser), the
 * unified diff against the file, and each changed key with whether it applies live or at the next start.
 * Operators only: liblxc's check runs a process.
 */
export const validateConfigRoute = operatorProcedure
  .input(ZValidateConfigRequestSchema)
  .output(ZValidateConfigResponseSchema)
  .query(({ ctx, input }) => ctx.runtime.config.preview(input.name, input.raw, ctx.principal.role));
