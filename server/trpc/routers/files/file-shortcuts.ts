import { fileShortcuts, readAsOf } from "../../../files";
import { viewerProcedure } from "../../procedures";
import { ZFileShortcutsRequestSchema, ZFileShortcutsResponseSchema } from "./files.types";

/** The files the seed edits after a creation (fstab, network, hostname, hosts, resolv.conf, init), as found. */
export const fileShortcutsRoute = viewerProcedure
  .input(ZFileShortcutsRequestSchema)
  .output(ZFileShortcutsResponseSchema)
  .query(async ({ ctx, input }) => ({
    items: await fileShortcuts(ctx.runtime.helper.files, input.name, readAsOf(ctx.principal)),
  }));
