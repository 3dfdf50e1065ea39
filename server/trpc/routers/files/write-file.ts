import { ticketOf } from "../../../files";
import { operatorProcedure } from "../../procedures";
import { ZWriteFileRequestSchema, ZFileEntryResponseSchema } from "./files.types";

/** Writes a text file atomically (a new one 0644, owned by the container's root); CONFLICT when `expectedMtime` is stale. */
export const writeFileRoute = operatorProcedure
  .input(ZWriteFileRequestSchema)
  .output(ZFileEntryResponseSchema)
  .mutation(({ ctx, input }) => ctx.runtime.helper.files.write({ ...input, ...ticketOf(ctx.principal) }));
