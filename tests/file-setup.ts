import { readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, expect } from "vitest";
import { assertTestEnvironment } from "./guard";
import { forceDestroy } from "./lxc-oracle";

// Each integration test file, in its own worker (tests/pool.ts), checks that it really runs in the environment
// made for it (its own lxcpath and network namespace), and names itself there for the harness's leftover report.
await assertTestEnvironment();
const lxcPath = process.env.ATELIER_LXC_PATH ?? "";
await writeFile(
  path.join(path.dirname(lxcPath), "test-file"),
  path.relative(process.cwd(), expect.getState().testPath ?? "?"),
);

// After the file's own clean-up (hooks run in reverse order, so this one last): the file's lxcpath is its own, so
// every container in it was made by this file and goes. What cannot be removed is reported by the harness.
afterAll(async () => {
  const entries = await readdir(lxcPath, { withFileTypes: true });
  await Promise.all(entries.filter((entry) => entry.isDirectory()).map((entry) => forceDestroy(entry.name)));
});
