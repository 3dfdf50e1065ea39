import path from "node:path";
import { defineConfig } from "vitest/config";
import { fileEnvPool } from "./tests/pool";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          globalSetup: ["tests/leftovers.ts"],
          setupFiles: ["tests/catalogue-setup.ts"],
          include: ["server/**/*.test.ts", "components/**/*.test.ts", "tests/unit/**/*.test.ts"],
          exclude: ["**/*.integration.test.ts", "node_modules/**"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          // The hostile tests of tests/security/ run with the integration tests, against the real server and LXC.
          include: ["tests/integration/**/*.test.ts", "tests/security/**/*.test.ts"],
          globalSetup: ["tests/integration/global-setup.ts", "tests/leftovers.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          setupFiles: ["tests/file-setup.ts", "tests/catalogue-setup.ts"],
          // Each file in a network namespace, lxcpath and data directory of its own (tests/pool.ts): files run in
          // parallel without seeing each other.
          pool: fileEnvPool(),
          fileParallelism: true,
        },
      },
    ],
  },
});
