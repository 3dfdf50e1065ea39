import { ticketOf } from "../../../files";
import { operatorProcedure } from "../../procedures";
import { ZChmodFileRequestSchema, ZFileEntryResponseSchema } from "./files.types";

/** Changes an entry's mode. */
export const chmodFileRoute = operatorProcedure
  .input(ZChmodFileRequestSchema)
  .output(ZFileEntryResponseSchema)
  .mutation(({ ctx, input }) => ctx.runtime.helper.files.chmod({ ...input, ...ticketOf(ctx.principal) }));
