import { lstat, realpath } from "node:fs/promises";
import { AppError, said } from "../../errors";
import type { THandlers } from "../contract/define";
import type { importsContract } from "../contract/imports";

/**
 * The import directories (root's, ATELIER_IMPORT_DIRS): where root filesystem archives are taken from (the contract:
 * ../contract/imports.ts). Uploads reach the first of them through the upload family (./upload.ts).
 */
export const importsOperations = ({ importDirs }: { importDirs: readonly string[] }) =>
  ({
    /** A tarball inside an import directory (resolved: no link leads out), and its size. */
    check: async ({ path: file }) => {
      const resolved = await realpath(file).catch(() => null);
      const roots = await Promise.all(importDirs.map((dir) => realpath(dir).catch(() => null)));
      if (!resolved || !roots.some((root) => root && resolved.startsWith(`${root}/`)))
        throw new AppError("BAD_REQUEST", {
          ...said("archiveOutsideImportDirs", { file, dirs: importDirs.join(", ") }),
          field: "rootfs.path",
        });
      const info = await lstat(resolved);
      if (!info.isFile())
        throw new AppError("BAD_REQUEST", { ...said("archiveNotAFile", { file }), field: "rootfs.path" });
      return { path: resolved, bytes: info.size };
    },
  }) satisfies THandlers<typeof importsContract>;
