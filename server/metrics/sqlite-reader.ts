import Database from "better-sqlite3";
import type { TRowReader } from "./history";

/**
 * History reads straight through better-sqlite3 in raw (array) mode, on a read-only connection of their own: a
 * 24-hour chart is 1440 rows of 30 numbers, and building an object per row (as Prisma does) costs three times the
 * query. Statements are prepared once. Only for SQLite URLs; other databases read through Prisma.
 */
export const sqliteRowReader = (databaseUrl: string): TRowReader | null => {
  if (!databaseUrl.startsWith("file:")) return null;
  const file = databaseUrl.slice("file:".length).split("?")[0] ?? "";
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 2000 });
  const statements = new Map<string, Database.Statement>();
  return (sql, parameters) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql).raw(true);
      statements.set(sql, statement);
    }
    return Promise.resolve(statement.all(...parameters) as (number | null)[][]);
  };
};
