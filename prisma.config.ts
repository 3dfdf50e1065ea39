import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { defineConfig } from "prisma/config";

// Used by the prisma CLI only (generate, migrate). The server builds its own client in server/db.ts.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  adapter() {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set (server/main.ts sets it from ATELIER_DATA_DIR)");
    return Promise.resolve(new PrismaBetterSQLite3({ url }));
  },
});
