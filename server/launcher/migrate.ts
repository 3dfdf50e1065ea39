import path from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../helper/run/runner";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** The prisma CLI of this install, run by this very node: nothing is looked up on a PATH. */
const PRISMA_CLI = path.join(root, "node_modules", "prisma", "build", "index.js");

/**
 * Applies pending database migrations (prisma migrate deploy): the launcher does before it starts the web tier,
 * as the web tier's user (`runAs`), so that the database stays that user's; the CLI, already that user, too.
 */
export const migrateDatabase = async (databaseUrl: string, runAs?: { uid: number; gid: number }) => {
  const result = await run(process.execPath as `/${string}`, [PRISMA_CLI, "migrate", "deploy"], {
    ...(runAs ? { runAs } : {}),
    cwd: root,
    env: { DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: "1" },
    timeoutMs: 120_000,
  });
  if (result.exitCode !== 0) {
    throw new Error(
      `database migration failed (DATABASE_URL=${databaseUrl})\n${result.stderr || result.stdout}`,
    );
  }
};
