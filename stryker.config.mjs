// @ts-check
/**
 * Mutation testing of the modules whose mistakes are security holes (npm run test:mutation; not in npm test):
 * roles, the container name validator, the config validator, the key privileges, the rootfs path resolver, and the
 * sign-in throttle.
 * Each file must keep a mutation score of at least 80 %, the config reader, privileges, tickets and throttle 85 %
 * (scripts/mutation-scores.ts checks the report per file);
 * the surviving mutants are listed in docs/mutation-survivors.md.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const config = {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.mts", related: false },
  mutate: [
    "server/auth/roles.ts",
    "server/schemas/container-name.ts",
    "server/schemas/lxc-config/validate.ts",
    "server/schemas/lxc-config/privileges.ts",
    "server/schemas/lxc-config/model.ts",
    "server/helper/admins.ts",
    "server/rootfs/index.ts",
    "server/auth/rate-limit.ts",
  ],
  coverageAnalysis: "perTest",
  // Mutants of module-level constants (regexes, tables) would each need every test run again: reported as ignored.
  ignoreStatic: true,
  reporters: ["clear-text", "json", "progress"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  concurrency: 2,
  timeoutMS: 20000,
  thresholds: { high: 90, low: 80, break: 80 },
};
export default config;
