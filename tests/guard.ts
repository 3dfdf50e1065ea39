import { stat } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";

/**
 * Refuses to run tests anywhere but in a test environment made by scripts/test-env.ts: never against the host's
 * default lxcpath, never in the host's network namespace.
 */
export const assertTestEnvironment = async () => {
  const how = "Run the tests through scripts/test-env.ts (npm run test:integration, npm run test:e2e).";
  const lxcPath = process.env.ATELIER_LXC_PATH;
  if (!lxcPath) throw new Error(`ATELIER_LXC_PATH is not set. ${how}`);

  const defaultPath = (await execa("lxc-config", ["lxc.lxcpath"])).stdout.trim();
  if (path.resolve(lxcPath) === path.resolve(defaultPath)) {
    throw new Error(`Refusing to test against the host's default lxcpath ${defaultPath}. ${how}`);
  }
  // Inside the directory the harness made for this run (an integration file's TMPDIR is its own, so not that).
  const runDir = process.env.ATELIER_TEST_DIR ?? "";
  if (
    !path.basename(runDir).startsWith("atelier-test-") ||
    !path.resolve(lxcPath).startsWith(`${path.resolve(runDir)}/`)
  ) {
    throw new Error(`Refusing to test against ${lxcPath}: not a test lxcpath. ${how}`);
  }
  // The process must be inside the very namespace the harness made (same nsfs inode), not the host's.
  const netns = process.env.ATELIER_TEST_NETNS_PATH;
  const [own, made] = await Promise.all([
    stat("/proc/self/ns/net"),
    netns ? stat(netns).catch(() => null) : null,
  ]);
  if (!made || own.ino !== made.ino || own.dev !== made.dev) {
    throw new Error(`Refusing to run outside the test network namespace. ${how}`);
  }
};
