import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Applies pending database migrations (prisma migrate deploy): the launcher does before it starts the web tier,
 * as the web tier's user (`runAs`), so that the database stays that user's; the CLI, already that user, too.
 */
export const migrateDatabase = async (databaseUrl: string, runAs?: { uid: number; gid: number }) => {
  const result = await execa("prisma", ["migrate", "deploy"], {
    ...(runAs ?? {}),
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
