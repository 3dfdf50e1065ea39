import { ticketOf } from "../../../files";
import { operatorProcedure } from "../../procedures";
import { ZMakeDirectoryRequestSchema, ZFileEntryResponseSchema } from "./files.types";

/** Makes a directory in a container, owned by its root. */
export const makeDirectoryRoute = operatorProcedure
  .input(ZMakeDirectoryRequestSchema)
  .output(ZFileEntryResponseSchema)
  .mutation(({ ctx, input }) => ctx.runtime.helper.files.mkdir({ ...input, ...ticketOf(ctx.principal) }));
