import { readAsOf } from "../../../files";
import { viewerProcedure } from "../../procedures";
import { ZReadFileRequestSchema, ZReadFileResponseSchema } from "./files.types";

/** A file's text for the editor, bounded (`isTruncated`), or said binary; viewers read only what others may. */
export const readFileRoute = viewerProcedure
  .input(ZReadFileRequestSchema)
  .output(ZReadFileResponseSchema)
  .query(({ ctx, input }) => ctx.runtime.helper.files.read({ ...input, readAs: readAsOf(ctx.principal) }));
