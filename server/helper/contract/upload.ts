import { z } from "zod";
import { ZUploadName } from "../../schemas/upload-name";
import { ZImportedFile } from "./imports";
import { op } from "./define";

/**
 * Uploaded archives: received in the web tier's spool, taken by the helper into the first import directory (only a
 * regular file of the web tier's own uid), removed once a creation used them or after a day.
 */
export const uploadContract = {
  adopt: op({
    input: z.object({ name: ZUploadName }).strict(),
    output: ZImportedFile,
    // A copy of an archive of up to ATELIER_UPLOAD_MAX_BYTES (gigabytes) on a slow disk.
    timeoutMs: 30 * 60 * 1000,
    summary: "Copies an upload from the web tier's spool into the first import directory",
  }),
  remove: op({
    input: z.object({ name: ZUploadName }).strict(),
    output: z.null(),
    timeoutMs: 60 * 1000,
    summary: "Removes an uploaded archive once a creation used it",
  }),
  prune: op({
    input: z.object({}).strict(),
    output: z.number().int(),
    timeoutMs: 5 * 60 * 1000,
    summary: "Removes the uploads older than a day; answers how many",
  }),
};
