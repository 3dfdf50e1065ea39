import { constants, createReadStream, createWriteStream } from "node:fs";
import { lstat, open, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { AppError, said } from "../../errors";
import { UPLOAD_NAME } from "../../schemas/upload-name";
import type { THandlers } from "../contract/define";
import type { uploadContract } from "../contract/upload";

/**
 * Uploaded archives (the contract: ../contract/upload.ts). An upload arrives in the web tier's spool (its own
 * directory) and is handed over here: the helper opens the spool entry without following a link, takes it only if
 * it is a regular file of the web tier's own uid (so nothing the web tier could not read already), and copies it
 * into the first import directory under the same name. The web tier removes its spool copy. Uploads are removed
 * once used, or after a day.
 */
const DAY = 24 * 60 * 60 * 1000;

export const uploadOperations = ({
  importDirs,
  uploadSpool,
  allowedUids,
}: {
  importDirs: readonly string[];
  /** The web tier's spool (web/uploads), and the uids whose files may be taken from it. */
  uploadSpool: string;
  allowedUids: readonly number[];
}) => {
  const uploadDir = importDirs[0] ?? null;
  const mustHaveUploadDir = () => {
    if (!uploadDir) throw new AppError("PRECONDITION_FAILED", said("noImportDir"));
    return uploadDir;
  };
  return {
    adopt: async ({ name }) => {
      const dir = mustHaveUploadDir();
      const source = await open(
        path.join(uploadSpool, name),
        constants.O_RDONLY | constants.O_NOFOLLOW,
      ).catch(() => {
        throw new AppError("NOT_FOUND", said("uploadNotInSpool", { name }));
      });
      const target = path.join(dir, name);
      try {
        const info = await source.stat();
        if (!info.isFile() || info.nlink !== 1 || !allowedUids.includes(info.uid))
          throw new AppError("FORBIDDEN", said("uploadNotOwn", { name }));
        await pipeline(
          createReadStream("", { fd: source, autoClose: false, start: 0 }),
          createWriteStream(target, { flags: "wx", mode: 0o600 }),
        ).catch(async (error: unknown) => {
          await rm(target, { force: true });
          throw error;
        });
        return { path: target, bytes: info.size };
      } finally {
        await source.close();
      }
    },
    /** After a creation from it (done or failed): an uploaded archive is not kept. Other archives are the admin's. */
    remove: async ({ name }) => {
      await rm(path.join(mustHaveUploadDir(), name), { force: true });
      return null;
    },
    /** Uploads older than a day; answers how many were removed. */
    prune: async () => {
      if (!uploadDir) return 0;
      let removed = 0;
      for (const entry of await readdir(uploadDir, { withFileTypes: true }).catch(() => [])) {
        if (!entry.isFile() || !UPLOAD_NAME.test(entry.name)) continue;
        const file = path.join(uploadDir, entry.name);
        const info = await lstat(file).catch(() => null);
        if (info && Date.now() - info.mtimeMs > DAY) {
          await rm(file, { force: true });
          removed += 1;
        }
      }
      return removed;
    },
  } satisfies THandlers<typeof uploadContract>;
};
