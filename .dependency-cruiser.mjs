// @ts-check
/**
 * The layers, as rules `npm run lint` checks (depcruise; docs/architecture.md, "Layers", says them in words and
 * shows the graph). Atelier runs as two processes that must not share code the wrong way: the root helper
 * (server/helper/main.ts) and the unprivileged web tier (server/main.ts, with Next). A module is on one side by
 * where it lives:
 *
 * - pure bottom: zod schemas and pure modules the browser, the web tier and the helper all run;
 * - root side: the helper's implementation, the lxc driver, the rootfs module (and the root processes' entry
 *   points, the launcher and the CLI);
 * - web side: everything else under server/, and app/ and components/.
 *
 * Type-only imports (`import type`, erased at build) count like any other unless a rule says otherwise: a type of
 * the helper's implementation in the web tier ties the two sides as surely as a value does; a type of the contract
 * is fine, because the contract is on the pure bottom. ESLint's no-import-type-side-effects keeps "type-only" true:
 * `import { type X }` would still load the module at run time under verbatimModuleSyntax.
 *
 * No violation is let through: there is no known-violations baseline (the last two, the helper client's type
 * imports of the helper's operation table, went with the move onto the contract).
 */

/**
 * One regular expression matching any of the given ones, at the start of a module's path (paths are relative to the
 * project root, as dependency-cruiser names modules).
 * @param {string[]} paths
 */
const any = (paths) => `^(${paths.join("|")})`;

// The pure bottom: zod schemas and pure modules (no Node API, no I/O), which import only each other, zod, and for the
// catalogues the ICU formatter (intl-messageformat, no React) and the Accept-Language parser (negotiator).
const PURE = [
  "server/schemas/",
  "server/helper/contract/",
  "server/errors\\.ts$",
  // The languages and their catalogues (the pages', and the English of the server's errors).
  "server/i18n/",
  // The roles and their order: pure zod, imported by procedures' schemas that the forms reuse.
  "server/auth/roles\\.ts$",
];

// What only root runs: the helper (but its contract), the lxc driver and the rootfs module.
const ROOT_SIDE = ["server/helper/(?!contract/)", "server/lxc/", "server/rootfs/", "server/boot/"];
// The root processes' entry points: the launcher (starts the helper and the web tier) and the CLI (as root).
const ROOT_ENTRIES = ["server/launcher/", "server/cli/"];

// Modules of the web tier the helper may load too: they import only pure modules and each other, so nothing of
// the web tier's services (database, sessions, tRPC, the helper client) comes with them.
const SHARED = [
  "server/log\\.ts$",
  "server/layout\\.ts$",
  // Password hashing: the helper keeps its own list of admins (server/helper/admins.ts).
  "server/auth/secrets\\.ts$",
  // The network plan and the host's state as `ip -j` prints it: the helper plans again before it applies.
  "server/host-network/parse\\.ts$",
  "server/host-network/plan\\.ts$",
  "server/host-network/persist\\.ts$",
  // Which config lines are an admin's: the helper judges a write again.
  "server/lxc-config/admin-only\\.ts$",
  // The cgroup mounts as /proc/self/mountinfo lists them (pure): the helper's readiness report reads the layout.
  "server/metrics/parse\\.ts$",
];

// What client code (components/, app/) may import values from: the pure bottom, the procedures' request and
// response schemas (a form reuses its procedure's input schema), and the usage series the live charts share with
// the sampler. Anything else of the server only as a type.
const CLIENT_SHARED = [
  ...PURE,
  "server/trpc/routers/.+\\.types\\.ts$",
  "server/trpc/routers/containers/schemas\\.ts$",
  "server/metrics/sample\\.ts$",
];

// Programs are run on the root side only (through its command runner), never by the web tier.
const SPAWNS = ["node_modules/execa/", "child_process$", "node_modules/node-pty/"];

/**
 * The web tier's folders, bottom to top: a folder may import its own and those before it, never one after it.
 * - (over the pure bottom) the data directory's layout, the settings, the log, the database;
 * - events (the event log) and the helper client (the socket to the helper);
 * - auth (users, sessions, tokens), metrics (cgroup readers, sampler, history);
 * - containers (the state table and lifecycle: its list shows metrics' memory reading);
 * - monitor (live state into the table), jobs (durable jobs over the helper's streams);
 * - lxc-config (read, check, save), host-network (plan, apply, NAT, NICs written as config), provision (creation:
 *   jobs, configs, NICs);
 * - runtime.ts (composes the services), then the transports over it: http/ and trpc/; then server/main.ts.
 * Client code (components/, app/) sits over all of it and takes only types and CLIENT_SHARED.
 */
const WEB_ORDER = [
  "server/layout\\.ts$",
  "server/env\\.ts$",
  "server/log\\.ts$",
  "server/db\\.ts$",
  "server/events/",
  "server/helper-client/",
  "server/auth/",
  "server/metrics/",
  "server/containers/",
  "server/monitor/",
  "server/jobs/",
  "server/lxc-config/",
  "server/host-network/",
  // The Host page's readiness report (the helper's checks and the network managers').
  "server/host/",
  "server/provision/",
  // Files inside containers: what a caller's role makes of the helper's files family.
  "server/files/",
  "server/runtime\\.ts$",
  "server/http/",
  "server/trpc/",
  "server/main\\.ts$",
];

/** One rule per folder of WEB_ORDER: it may not import any folder after it. */
const upwardRules = WEB_ORDER.slice(0, -1).map((folder, index) => ({
  name: `no-upward-from-${folder.replace(/[^a-z-]+/g, "-").replace(/^-|-$/g, "")}`,
  comment: `${folder} is below ${WEB_ORDER.slice(index + 1).join(", ")} (WEB_ORDER in .dependency-cruiser.mjs).`,
  severity: "error",
  from: { path: `^${folder}` },
  to: { path: any(WEB_ORDER.slice(index + 1)) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: "no-circular",
      comment:
        "A circle has no bottom: neither side can be understood, tested or moved without the other. Types count: " +
        "a type circle is a design circle.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "not-to-unresolvable",
      comment:
        "An import the cruiser cannot resolve is an edge these rules cannot see: fix the path or the alias.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: "pure-bottom",
      comment:
        "Schemas, the helper's contract and the error type are run by the browser, the web tier and the helper: " +
        "they import only each other, zod, intl-messageformat and negotiator, so none of them drags code of one side into another.",
      severity: "error",
      from: { path: any(PURE) },
      to: { pathNot: [any(PURE), "^node_modules/(zod|intl-messageformat|negotiator)/"] },
    },
    {
      name: "web-not-to-root-side",
      comment:
        "The web tier (user atelier, no capabilities) never loads the helper's implementation, the lxc driver or " +
        "the rootfs module, not even their types: it asks the helper through the contract (server/helper/contract) " +
        "and its client (server/helper-client).",
      severity: "error",
      from: { pathNot: [any(ROOT_SIDE), any(ROOT_ENTRIES)] },
      to: { path: [any(ROOT_SIDE), any(ROOT_ENTRIES)] },
    },
    {
      name: "spawn-only-on-root-side",
      comment:
        "Only the root side runs programs (execa, node:child_process, node-pty): a module that spawns is root " +
        "side, and must live there. The launcher hands a listening socket over node:child_process's IPC channel.",
      severity: "error",
      from: { pathNot: [any(ROOT_SIDE), any(ROOT_ENTRIES)] },
      to: { path: any(SPAWNS) },
    },
    {
      name: "root-side-loads-no-web-tier",
      comment:
        "The helper loads nothing of the web tier's services (database, sessions, tRPC, the helper client): from " +
        "outside the root side it imports only the pure bottom and the SHARED modules.",
      severity: "error",
      from: { path: any(ROOT_SIDE) },
      to: {
        path: "^(server|app|components)/",
        pathNot: [any(ROOT_SIDE), any(PURE), any(SHARED)],
      },
    },
    {
      name: "shared-stays-shared",
      comment:
        "A SHARED module is loaded by the helper too: it may import only pure modules and other SHARED ones, or " +
        "it would bring web-tier code into the root process.",
      severity: "error",
      from: { path: any(SHARED) },
      to: { path: "^(server|app|components)/", pathNot: [any(PURE), any(SHARED)] },
    },
    {
      name: "rootfs-below-lxc",
      comment:
        "The rootfs module is the one way into a container's files, used by the lxc driver and the helper's " +
        "operations; it knows neither.",
      severity: "error",
      from: { path: "^server/rootfs/" },
      to: { path: "^server/(lxc/|helper/(operations/|server\\.ts|main\\.ts))" },
    },
    {
      name: "driver-below-operations",
      comment:
        "The lxc driver is what the helper's operations call; it does not know the operation table, the socket " +
        "server or the helper's entry point.",
      severity: "error",
      from: { path: "^server/lxc/" },
      to: { path: "^server/helper/(operations/|server\\.ts|main\\.ts)" },
    },
    {
      name: "client-takes-types-and-schemas",
      comment:
        "Client code runs in the browser: from the server it takes types (erased at build) and the pure schemas " +
        "it shares with the procedures (CLIENT_SHARED), never a module that would bundle server code.",
      severity: "error",
      from: { path: "^(app|components)/" },
      to: { path: "^server/", pathNot: any(CLIENT_SHARED), dependencyTypesNot: ["type-only"] },
    },
    {
      name: "client-shared-stays-pure",
      comment:
        "What client code may import as values imports, as values, only more of the same: a procedure's schema " +
        "file that imported a service would put it in the browser bundle.",
      severity: "error",
      from: { path: any(CLIENT_SHARED) },
      to: {
        path: "^(server|app|components)/",
        pathNot: any(CLIENT_SHARED),
        dependencyTypesNot: ["type-only"],
      },
    },
    ...upwardRules,
  ],
  options: {
    // Production code only (npm run lint cruises server/, app/ and components/): tests may reach across.
    exclude: { path: ["\\.test\\.tsx?$", "/__fixtures__/", "^\\.next/"] },
    doNotFollow: { path: "^node_modules/" },
    // Type-only imports are in the graph, tagged "type-only" (see the file's comment).
    tsPreCompilationDeps: true,
    // The @/ alias of tsconfig.json.
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
    // The diagram in docs/ (docs/architecture.md, "Layers", says how it is made): folders collapsed, our code only,
    // the pure bottom green, the root side red, client code blue; type-only imports are open arrowheads.
    reporterOptions: {
      archi: {
        collapsePattern: "^(server/helper/contract/|server/helper/run/|server/[^/]+/|app/|components/)",
        filters: { includeOnly: { path: "^(server|app|components)/" } },
        theme: {
          graph: { rankdir: "TB", splines: "true", ranksep: "0.5", nodesep: "0.25" },
          modules: [
            { criteria: { source: any(PURE) }, attributes: { fillcolor: "#c8f0c8" } },
            {
              criteria: { source: any([...ROOT_SIDE, ...ROOT_ENTRIES]) },
              attributes: { fillcolor: "#f8c8c8" },
            },
            { criteria: { source: "^(app|components)/" }, attributes: { fillcolor: "#c8dcf8" } },
          ],
        },
      },
    },
  },
};
