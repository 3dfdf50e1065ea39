import { ticketOf } from "../../../files";
import { operatorProcedure } from "../../procedures";
import { ZChownFileRequestSchema, ZFileEntryResponseSchema } from "./files.types";

/** Changes an entry's owner and group, by the container's own names or ids (through its id map). */
export const chownFileRoute = operatorProcedure
  .input(ZChownFileRequestSchema)
  .output(ZFileEntryResponseSchema)
  .mutation(({ ctx, input }) => ctx.runtime.helper.files.chown({ ...input, ...ticketOf(ctx.principal) }));
