import { ticketOf } from "../../../files";
import { operatorProcedure } from "../../procedures";
import { ZSymlinkRequestSchema, ZFileEntryResponseSchema } from "./files.types";

/** Creates or replaces a link (its target is the guest's text: how /sbin/init is repointed). */
export const symlinkRoute = operatorProcedure
  .input(ZSymlinkRequestSchema)
  .output(ZFileEntryResponseSchema)
  .mutation(({ ctx, input }) => ctx.runtime.helper.files.symlink({ ...input, ...ticketOf(ctx.principal) }));
