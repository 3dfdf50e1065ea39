import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";

/**
 * `prisma migrate dev` cannot run here (its shadow database does not work through the driver adapter), so
 * migrations are written by hand. This checks that applying them gives exactly the schema of schema.prisma.
 */
const root = path.resolve(import.meta.dirname, "..");
let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const schemaOf = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .prepare(
        "select sql from sqlite_master where sql is not null and name not like '\\_prisma%' escape '\\' and name not like 'sqlite_%'",
      )
      .all() as { sql: string }[];
    // Spacing around punctuation differs between CREATE TABLE and a later ALTER TABLE ADD COLUMN: not the schema.
    return rows
      .map((row) =>
        row.sql
          .replace(/\s+/g, " ")
          .replace(/\s*([(),])\s*/g, "$1")
          .trim(),
      )
      .sort();
  } finally {
    db.close();
  }
};

describe("database migrations", () => {
  it("produce exactly the schema of prisma/schema.prisma", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "atelier-migrations-"));
    const migrated = path.join(dir, "migrated.db");
    const pushed = path.join(dir, "pushed.db");
    await execa("npx", ["prisma", "migrate", "deploy"], {
      cwd: root,
      env: { DATABASE_URL: `file:${migrated}` },
      stdin: "ignore",
    });
    // With the driver adapter, `db push` finishes in milliseconds but its process then idles a minute before exiting.
    const push = execa("npx", ["prisma", "db", "push", "--skip-generate"], {
      cwd: root,
      env: { DATABASE_URL: `file:${pushed}` },
      stdin: "ignore",
      reject: false,
    });
    await new Promise<void>((resolve, reject) => {
      push.stdout?.on("data", (chunk: Buffer) => chunk.toString().includes("in sync") && resolve());
      void push.then((result) =>
        reject(new Error(`prisma db push ended first: ${String(result.all ?? result.stderr)}`)),
      );
    });
    push.kill();
    expect(schemaOf(migrated)).toEqual(schemaOf(pushed));
  }, 60_000);
});
