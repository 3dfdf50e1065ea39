import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "@prisma/client";

/** The Prisma client on the better-sqlite3 driver adapter (Prisma's native engines are not used). */
export const createDb = (databaseUrl: string) =>
  new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: databaseUrl }) });

export type TDb = ReturnType<typeof createDb>;
