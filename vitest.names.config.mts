import path from "node:path";
import { defineConfig } from "vitest/config";

/** The container name validator's tests, for its mutation run (stryker.names.config.mjs). */
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: { include: ["server/schemas/container-name.test.ts"] },
});
