import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Applies pending database migrations (prisma migrate deploy). Used by the server at start and by the CLI. */
export const migrateDatabase = async (databaseUrl: string) => {
  const result = await execa("prisma", ["migrate", "deploy"], {
    cwd: root,
    preferLocal: true,
    localDir: root,
    reject: false,
    stdin: "ignore",
    env: { DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: "1" },
    timeout: 120_000,
  });
  if (result.exitCode !== 0) {
    throw new Error(
      `database migration failed (DATABASE_URL=${databaseUrl})\n${String(result.stderr || result.stdout)}`,
    );
  }
};

/** Deletes audit entries older than the retention period. */
export const pruneAudit = (
  db: { auditEntry: { deleteMany: (args: { where: { at: { lt: Date } } }) => Promise<{ count: number }> } },
  days: number,
) => db.auditEntry.deleteMany({ where: { at: { lt: new Date(Date.now() - days * 24 * 60 * 60 * 1000) } } });
