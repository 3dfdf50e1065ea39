import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createDb, type TDb } from "@/server/db";
import { migrateDatabase } from "@/server/launcher/migrate";

/**
 * A migrated SQLite database of the test file's own, in a temporary directory: made before its tests, removed after
 * them. Returns the database's getter (it exists once beforeAll ran).
 */
export const useTempDb = (prefix: string) => {
  let dir: string | undefined;
  let db: TDb | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), `atelier-${prefix}-`));
    const url = `file:${path.join(dir, "test.db")}`;
    await migrateDatabase(url);
    db = createDb(url);
  });
  afterAll(async () => {
    await db?.$disconnect();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (!db) throw new Error("the test database is made in beforeAll");
    return db;
  };
};
