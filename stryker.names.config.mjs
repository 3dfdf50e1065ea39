// @ts-check
import base from "./stryker.config.mjs";

/**
 * The container name validator is one module-level zod schema: all its mutants are static, which the main run
 * leaves out. Here they are counted, against the validator's own (small, fast) tests only.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const config = {
  ...base,
  vitest: { configFile: "vitest.names.config.mts", related: false },
  mutate: ["server/schemas/container-name.ts"],
  ignoreStatic: false,
  jsonReporter: { fileName: "reports/mutation/names.json" },
};
export default config;
