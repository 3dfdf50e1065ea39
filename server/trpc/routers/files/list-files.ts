import { readAsOf } from "../../../files";
import { viewerProcedure } from "../../procedures";
import { ZListFilesRequestSchema, ZListFilesResponseSchema } from "./files.types";

/** A directory of a container (directories first, at most 10 000 entries); viewers see what its others may read. */
export const listFilesRoute = viewerProcedure
  .input(ZListFilesRequestSchema)
  .output(ZListFilesResponseSchema)
  .query(({ ctx, input }) => ctx.runtime.helper.files.list({ ...input, readAs: readAsOf(ctx.principal) }));
