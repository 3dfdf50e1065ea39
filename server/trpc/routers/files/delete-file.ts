import { ticketOf } from "../../../files";
import { operatorProcedure } from "../../procedures";
import { ZDeleteFileRequestSchema, ZDeleteFileResponseSchema } from "./files.types";

/** Deletes an entry (a directory's contents too when `recursive`); a link is removed, never followed. */
export const deleteFileRoute = operatorProcedure
  .input(ZDeleteFileRequestSchema)
  .output(ZDeleteFileResponseSchema)
  .mutation(({ ctx, input }) => ctx.runtime.helper.files.remove({ ...input, ...ticketOf(ctx.principal) }));
