import { z } from "zod";
import { op } from "./define";

/** The import directories (ATELIER_IMPORT_DIRS, root's): where root filesystem archives are taken from. */
export const ZImportedFile = z.object({
  /** The archive's path, resolved (no link in it). */
  path: z.string(),
  bytes: z.number().int(),
});
export type TImportedFile = z.infer<typeof ZImportedFile>;

export const importsContract = {
  check: op({
    input: z.object({ path: z.string().max(4096).startsWith("/") }).strict(),
    output: ZImportedFile,
    timeoutMs: 30 * 1000,
    summary:
      "Whether a path is a file inside an import directory (resolved: no link leads out), and its size",
  }),
};
