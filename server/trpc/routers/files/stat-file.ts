import { readAsOf } from "../../../files";
import { viewerProcedure } from "../../procedures";
import { ZStatFileRequestSchema, ZStatFileResponseSchema } from "./files.types";

/** One entry of a container (a link not followed), or NOT_FOUND. */
export const statFileRoute = viewerProcedure
  .input(ZStatFileRequestSchema)
  .output(ZStatFileResponseSchema)
  .query(({ ctx, input }) => ctx.runtime.helper.files.stat({ ...input, readAs: readAsOf(ctx.principal) }));
