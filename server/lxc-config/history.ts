import type { TDb } from "../db";
import { AppError, said } from "../errors";
import type { TReadConfig } from "./read";

/**
 * The versions of each container's config that Atelier wrote (and the file as it first found it), kept in the
 * database: the history the views list, and what a restore writes again.
 */
export const createConfigHistory = ({ db, read }: { db: TDb; read: TReadConfig }) => {
  /** The file as Atelier first found it is kept before its first write, so that the first change can be undone too. */
  const keepFound = async (name: string, found: { raw: string; version: string }) => {
    if ((await db.configVersion.count({ where: { container: name } })) > 0) return;
    await db.configVersion.create({
      data: {
        container: name,
        version: found.version,
        content: found.raw,
        author: "(on disk)",
        reason: "found",
      },
    });
  };

  const keep = async (entry: {
    name: string;
    raw: string;
    version: string;
    author: string;
    reason: string;
  }) => {
    await db.configVersion.create({
      data: {
        container: entry.name,
        version: entry.version,
        content: entry.raw,
        author: entry.author,
        reason: entry.reason,
      },
    });
  };

  const history = async (name: string) => {
    const current = await read(name);
    const rows = await db.configVersion.findMany({
      where: { container: name },
      orderBy: { id: "desc" },
      select: { id: true, version: true, author: true, at: true, reason: true, content: true },
      take: 200,
    });
    return rows.map(({ content, ...row }) => ({
      ...row,
      lines: content.split("\n").length,
      isCurrent: row.version === current.version,
    }));
  };

  const versionContent = async (name: string, id: number) => {
    const row = await db.configVersion.findFirst({ where: { container: name, id } });
    if (!row) {
      throw new AppError("NOT_FOUND", { ...said("configVersionNotFound", { id, name }), field: "id" });
    }
    return row;
  };

  return {
    keepFound,
    keep,
    history,
    versionContent,
    /** The container is gone: so is its config history. */
    forget: (name: string) => db.configVersion.deleteMany({ where: { container: name } }),
  };
};

export type TConfigHistory = ReturnType<typeof createConfigHistory>;
