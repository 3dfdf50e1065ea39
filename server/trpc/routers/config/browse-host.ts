import { readdir } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { AppError } from "../../../errors";
import { operatorProcedure } from "../../procedures";

/**
 * The host-path picker of bind mounts: the directories (only directories, names only) in one host directory.
 * Operators can bind-mount any host path into a container anyway; this lists no file and reads no content.
 */
export const ZBrowseHostRequestSchema = z
  .object({
    path: z
      .string()
      .max(4096)
      .refine((value) => value.startsWith("/"), { message: "must be an absolute path" })
      .refine((value) => !/[\0\n\r]/.test(value), { message: "must not contain control characters" }),
  })
  .strict();

export const ZBrowseHostResponseSchema = z.object({
  path: z.string(),
  parent: z.string().nullable(),
  directories: z.array(z.string()),
  isTruncated: z.boolean(),
});

const LIMIT = 500;

export const browseHostRoute = operatorProcedure
  .input(ZBrowseHostRequestSchema)
  .output(ZBrowseHostResponseSchema)
  .query(async ({ input }) => {
    const dir = path.resolve(input.path);
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      throw new AppError(error.code === "ENOENT" ? "NOT_FOUND" : "BAD_REQUEST", {
        message:
          error.code === "ENOENT"
            ? `${dir} does not exist on the host`
            : error.code === "ENOTDIR"
              ? `${dir} is not a directory`
              : `${dir} cannot be read (${error.code ?? "error"})`,
        field: "path",
      });
    });
    const directories = entries
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort((a, b) => a.localeCompare(b));
    return {
      path: dir,
      parent: dir === "/" ? null : path.dirname(dir),
      directories: directories.slice(0, LIMIT),
      isTruncated: directories.length > LIMIT,
    };
  });
