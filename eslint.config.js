import js from "@eslint/js";
import i18next from "eslint-plugin-i18next";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

// The root side of the privilege split, and the modules only the helper runs (the lxc driver, the rootfs module):
// see the privilege split's rules below.
const ROOT_SIDE = ["server/helper/**", "server/launcher/**", "server/cli/**", "server/boot/**"];
const HELPER_MODULES = ["server/lxc/**", "server/rootfs/**"];
// The web tier's modules that write files, all in its web/ directory: the TLS key, the setup token, the upload
// spool, and the data directory's creation by the settings.
const WEB_WRITERS = [
  "server/http/tls.ts",
  "server/auth/setup-token.ts",
  "server/http/upload.ts",
  "server/env.ts",
];
const NO_PROGRAMS = [
  { name: "node:child_process", message: "The web tier runs no program: add a helper operation." },
  { name: "execa", message: "The web tier runs no program: add a helper operation (server/helper/)." },
];
const WRITES = [
  "appendFile",
  "chmod",
  "chown",
  "copyFile",
  "cp",
  "createWriteStream",
  "lchown",
  "link",
  "mkdir",
  "mkdtemp",
  "open",
  "rename",
  "rm",
  "rmdir",
  "symlink",
  "truncate",
  "unlink",
  "utimes",
  "writeFile",
];
const NO_WRITES = ["node:fs", "node:fs/promises", "fs", "fs/promises"].map((name) => ({
  name,
  importNames: [...WRITES, ...WRITES.map((call) => `${call}Sync`)],
  message:
    "The web tier writes files only in web/ (WEB_WRITERS in eslint.config.js), and root's through the helper.",
}));

export default tseslint.config(
  { ignores: [".next/**", "node_modules/**", "next-env.d.ts", "test-results/**", "playwright-report/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      // Under verbatimModuleSyntax, `import { type X } from "m"` still loads m at run time (`import {} from "m"`):
      // a type-only import is written `import type`, so that it is erased (and dependency-cruiser's "type-only",
      // which the layers' rules trust, means what it says).
      "@typescript-eslint/no-import-type-side-effects": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Every external command goes through execa with an argument array (server/lxc, scripts/).
      "no-restricted-imports": [
        "error",
        { paths: [{ name: "node:child_process", message: "Use execa with an argument array." }] },
      ],
    },
  },
  {
    files: ["**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // Client code takes from the server only the router's type, the shared schemas (server/schemas/: names,
    // addresses, the creation form, the config model, catalogue, validator and key privileges, which the forms and
    // the config editors run in the browser), and the usage series mapping the live charts share with the sampler.
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^@/server/(?!schemas/|i18n/|trpc/routers/.*\\.types$|metrics/sample$)",
              allowTypeImports: true,
              message:
                "Client code may import only types, the shared schemas (server/schemas/), the catalogues (server/i18n/) and *.types.ts files from server/.",
            },
          ],
        },
      ],
    },
  },
  // The privilege split. Commands run on the root side only: the helper (server/helper/, and the lxc driver it runs,
  // server/lxc/), the launcher (server/launcher/: the helper, the web tier, migrations as the web user) and the CLI
  // (server/cli/, run by root, as the web user once it has dropped root). The web tier spawns nothing, and writes
  // files only in its own web/ directory: the modules of WEB_WRITERS.
  {
    files: ["server/**/*.ts", "app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"],
    ignores: [...ROOT_SIDE, ...HELPER_MODULES, ...WEB_WRITERS, "server/**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", { paths: [...NO_PROGRAMS, ...NO_WRITES] }] },
  },
  {
    files: [...HELPER_MODULES, ...WEB_WRITERS],
    ignores: ["server/lxc/tools.ts", "server/**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", { paths: NO_PROGRAMS }] },
  },
  // The shared schemas are pure (the browser, the web tier and the helper run them): no Node API, no program, and
  // nothing from the rest of the server.
  {
    files: ["server/schemas/**/*.ts"],
    ignores: ["server/schemas/**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: "^(node:|execa$)", message: "The shared schemas are pure: no Node API, no program." },
            {
              regex:
                "^(?!@/server/i18n/|(\\.\\./)+i18n/)(@/server/(?!schemas/)|\\.\\./\\.\\./|\\.\\./(?!schemas/|lxc-config/|issue-words$|network$|container-name$|create-container$|snapshot-name$|idmap$))",
              message:
                "The shared schemas import only each other (server/schemas/) and the catalogues (server/i18n/: their messages' words).",
            },
          ],
        },
      ],
    },
  },
  // Every word a page shows comes from the catalogues (server/i18n/messages/), in French and English: text in JSX, and
  // the attributes a person reads or hears. Figures, symbols and the product's name are not words to translate.
  {
    files: ["app/**/*.tsx", "components/**/*.tsx"],
    plugins: { i18next },
    rules: {
      "i18next/no-literal-string": [
        "error",
        {
          mode: "jsx-only",
          "jsx-attributes": {
            include: [
              "^(aria-label|aria-description|aria-roledescription|aria-valuetext|title|placeholder|alt|label|help|hint|description|confirmLabel|heading|summary)$",
            ],
          },
          words: { exclude: ["^[\\s\\d–—·•/:()…×+%.,-]*$", "^[A-Z_-]+$", "^Atelier$", "^lxc\\.[a-z.]+$"] },
        },
      ],
    },
  },
  // Playwright fixtures that need no other fixture are written `async ({}, use) => ...`, as its docs require.
  { files: ["e2e/**/*.ts"], rules: { "no-empty-pattern": "off" } },
  { files: ["**/*.js", "**/*.mjs"], ...tseslint.configs.disableTypeChecked },
);
