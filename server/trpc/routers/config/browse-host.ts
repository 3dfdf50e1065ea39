import { readdir, realpath } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { AppError, said } from "../../../errors";
import { says } from "../../../schemas/issue-words";
import { isInBindRoots } from "../../../schemas/lxc-config/privileges";
import { operatorProcedure } from "../../procedures";

/**
 * The host-path picker of bind mounts: the directories (only directories, names only) in one host directory.
 * Operators browse only inside the bind roots (ATELIER_BIND_ROOTS), the directories they may bind-mount from;
 * admins anywhere. It lists no file and reads no content.
 */
export const ZBrowseHostRequestSchema = z
  .object({
    path: z
      .string()
      .max(4096)
      .refine((value) => value.startsWith("/"), says("validation.text.absolutePath"))
      .refine((value) => !/[\0\n\r]/.test(value), says("validation.text.noControl")),
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
  .query(async ({ ctx, input }) => {
    const requested = path.resolve(input.path);
    const { bindRoots } = ctx.runtime.settings;
    const isAdmin = ctx.principal.role === "admin";
    // Resolved on the host, so that a symlink inside a bind root cannot lead the listing out of it.
    const dir = isAdmin ? requested : await realpath(requested).catch(() => requested);
    const roots = await Promise.all(bindRoots.map((root) => realpath(root).catch(() => root)));
    if (!isAdmin && !isInBindRoots(dir, roots))
      throw new AppError("FORBIDDEN", {
        ...(bindRoots.length === 0
          ? said("browseNoBindRoots")
          : said("browseOutsideBindRoots", { path: requested, roots: bindRoots.join(", ") })),
        field: "path",
      });
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      throw new AppError(error.code === "ENOENT" ? "NOT_FOUND" : "BAD_REQUEST", {
        ...(error.code === "ENOENT"
          ? said("hostPathMissing", { path: dir })
          : error.code === "ENOTDIR"
            ? said("hostPathNotADirectory", { path: dir })
            : said("hostPathUnreadable", { path: dir, code: error.code ?? "error" })),
        field: "path",
      });
    });
    const directories = entries
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort((a, b) => a.localeCompare(b));
    return {
      path: dir,
      parent: dir === "/" || (!isAdmin && roots.includes(dir)) ? null : path.dirname(dir),
      directories: directories.slice(0, LIMIT),
      isTruncated: directories.length > LIMIT,
    };
  });
