import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { defineConfig } from "prisma/config";

// Used by the prisma CLI only (generate, migrate); the server builds its own client in server/db.ts and passes
// DATABASE_URL to `prisma migrate deploy` itself.
//
// Without DATABASE_URL the CLI cannot read the schema's datasource, falls back to its defaults and tries to download
// a native query engine from a host these machines cannot reach (this broke `prisma generate` on a clean install).
// So the CLI gets the same default database as the server: ATELIER_DATA_DIR/atelier.db.
process.env.DATABASE_URL ??= `file:${path.join(process.env.ATELIER_DATA_DIR || "/var/lib/atelier", "atelier.db")}`;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  adapter() {
    return Promise.resolve(new PrismaBetterSQLite3({ url: process.env.DATABASE_URL ?? "" }));
  },
});
