import { z } from "zod";
import { filesContract } from "../../../helper/contract/files";
import { ZContainerName } from "../../../schemas/container-name";
import { ZFileEntry, ZFileKind } from "../../../schemas/files";

/**
 * The files router's inputs and outputs (issue #26): the helper's `files` family's, less what the caller's role
 * decides (`readAs`: viewers read as the container's others) and the admin's ticket (the session's own).
 */
export const ZListFilesRequestSchema = filesContract.list.input.omit({ readAs: true });
export const ZListFilesResponseSchema = filesContract.list.output;

export const ZStatFileRequestSchema = filesContract.stat.input.omit({ readAs: true });
export const ZStatFileResponseSchema = filesContract.stat.output;

export const ZReadFileRequestSchema = filesContract.read.input.omit({ readAs: true });
export const ZReadFileResponseSchema = filesContract.read.output;

export const ZGuestAccountsRequestSchema = filesContract.accounts.input;
export const ZGuestAccountsResponseSchema = filesContract.accounts.output;

export const ZFileShortcutsRequestSchema = z.object({ name: ZContainerName }).strict();
export const ZFileShortcutKey = z.enum(["fstab", "network", "hostname", "hosts", "resolv", "init"]);
export const ZFileShortcutsResponseSchema = z.object({
  items: z.array(
    z.object({
      key: ZFileShortcutKey,
      path: z.string(),
      exists: z.boolean(),
      kind: ZFileKind.nullable(),
      linkTarget: z.string().nullable(),
    }),
  ),
});
export type TFileShortcutsResponse = z.infer<typeof ZFileShortcutsResponseSchema>;

export const ZWriteFileRequestSchema = filesContract.write.input.omit({ ticket: true });
export const ZMakeDirectoryRequestSchema = filesContract.mkdir.input.omit({ ticket: true });
export const ZRenameFileRequestSchema = filesContract.rename.input.omit({ ticket: true });
export const ZDeleteFileRequestSchema = filesContract.remove.input.omit({ ticket: true });
export const ZDeleteFileResponseSchema = filesContract.remove.output;
export const ZChmodFileRequestSchema = filesContract.chmod.input.omit({ ticket: true });
export const ZChownFileRequestSchema = filesContract.chown.input.omit({ ticket: true });
export const ZSymlinkRequestSchema = filesContract.symlink.input.omit({ ticket: true });
/** What every change but a delete answers: the entry as it now is. */
export const ZFileEntryResponseSchema = ZFileEntry;
