import { readdir } from "node:fs/promises";
import os from "node:os";

/**
 * A Vitest global setup: the run fails when its tests leave anything named atelier-* in the temporary directory
 * (the test environment's own atelier-test-* directory is removed by scripts/test-env.ts after the run).
 */
const list = async () =>
  (await readdir(os.tmpdir())).filter(
    (name) => name.startsWith("atelier-") && !name.startsWith("atelier-test-"),
  );

export default async function setup() {
  const before = new Set(await list());
  return async () => {
    const left = (await list()).filter((name) => !before.has(name));
    if (left.length === 0) return;
    // Vitest reports a teardown's error but still exits 0: the exit code says it too.
    process.exitCode = 1;
    throw new Error(`the tests left ${left.map((name) => `${os.tmpdir()}/${name}`).join(", ")} behind`);
  };
}
