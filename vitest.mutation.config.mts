import path from "node:path";
import { defineConfig } from "vitest/config";

/**
 * The unit tests of the modules whose mistakes are security holes, for `npm run test:mutation` (StrykerJS mutates
 * those modules and checks that these tests notice). Not part of `npm test`.
 */
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: [
      "server/auth/roles.test.ts",
      "server/schemas/container-name.test.ts",
      "server/lxc-config/validate.test.ts",
      "server/lxc-config/validate-values.test.ts",
      "server/lxc-config/validate-lines.test.ts",
      "server/lxc-config/privileges.test.ts",
      "server/lxc-config/model.test.ts",
      "server/helper/admins.test.ts",
      "server/rootfs/rootfs.test.ts",
      "server/auth/rate-limit.test.ts",
    ],
  },
});
