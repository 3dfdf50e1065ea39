import { ticketOf } from "../../../files";
import { operatorProcedure } from "../../procedures";
import { ZRenameFileRequestSchema, ZFileEntryResponseSchema } from "./files.types";

/** Renames or moves an entry inside a container; an existing `to` is never replaced. */
export const renameFileRoute = operatorProcedure
  .input(ZRenameFileRequestSchema)
  .output(ZFileEntryResponseSchema)
  .mutation(({ ctx, input }) => ctx.runtime.helper.files.rename({ ...input, ...ticketOf(ctx.principal) }));
