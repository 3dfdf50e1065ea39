import { existsSync } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { TRole } from "@/server/auth/roles";
import { createDb } from "@/server/db";
import { appRouter } from "@/server/trpc/routers/_app";
import { forceDestroy, lxcPath } from "../lxc-oracle";
import { callProcedure } from "../server";
import { useServer } from "../use-server";
import { canariesFor, generate, setAt, unionSites, unique, type TLeaf, type TZod } from "../schema-inputs";
import { createBusybox, waitJob } from "./helpers";

/**
 * Injection canaries that reach every field. For each procedure a valid input is built from its own zod schema
 * (one variant per branch of every union), with the few values that must name something that exists (a container,
 * a job, a snapshot) taken from this file's fixtures. Then one string field at a time is replaced by each canary.
 * Each answer must be one of:
 * - a 400 that names that very field (the canary was stopped by validation, and the error says where);
 * - a refusal after validation (401, 403, 404, 409, 412: the canary was taken as a plain value, and it named
 *   nothing that exists);
 * - a success, which must be harmless: no canary file, no hook line in any config, nothing new outside this file's
 *   own lxcpath.
 * Each procedure is called with the role of its own tier. This file runs in its own network namespace and lxcpath
 * (tests/pool.ts), so the NAT and network procedures act on its own fixtures only.
 */
type TTier = "public" | "viewer" | "operator" | "admin";
type TProcedure = {
  _def: { type: "query" | "mutation" | "subscription"; meta?: { tier?: TTier }; inputs: TZod[] };
};

// This file's own lxcpath: everything in it was made here.
const server = useServer({
  afterStop: async () => {
    await Promise.all((await names(lxcPath())).map(forceDestroy));
  },
});
let fixture: string;
let jobId: string;
let userId: number;
/** A version of the fixture's config in its history (config.restore brings it back). */
let versionId: number;
let canaryDir: string;
const canaries = () => canariesFor(canaryDir);

type TVariant = { label: string; input: Record<string, unknown>; leaves: TLeaf[] };

/** The creation form (wizard, types, preview): a static address, so that the address fields are used. */
const creationForm = (form: Record<string, unknown>, variant: string, site: string) => {
  Object.assign(form.network as Record<string, unknown>, { mode: "static", bridge: "atbr0" });
  if (variant === `${site}=3`) (form.rootfs as Record<string, unknown>).source = fixture;
};

/**
 * Fields made anew for every call (unless they carry the canary): a success creates what they name, and the next
 * call must not merely collide with it.
 */
const FRESH: Record<string, string[]> = {
  "auth.signIn": ["username"],
  "users.create": ["username"],
  "tokens.create": ["name"],
  "containers.create": ["name"],
  "types.save": ["name"],
  "types.createFrom": ["name"],
  "snapshots.restore": ["newName"],
  "config.importAsNew": ["name"],
};

/**
 * Where a procedure deliberately stops before a field, and why: the walk never gives the current password (a
 * success would end the viewer's sessions mid-walk), so a new password is checked up to that refusal. Its own
 * rules are in tests/integration/accounts.test.ts.
 */
const STOPPED_BY: Record<string, string> = { "account.changePassword": "currentPassword" };

/**
 * The values that must name something that exists, or must not collide, per procedure; everything else comes from
 * the schema. `variant` is "" for the first options of every union, else "site=option".
 */
const FIXTURES: Record<string, (input: Record<string, unknown>, variant: string) => void> = {
  "containers.get": (input) => (input.name = fixture),
  "containers.start": (input) => (input.name = fixture),
  "containers.stop": (input) => (input.name = fixture),
  "containers.restart": (input) => (input.name = fixture),
  "containers.freeze": (input) => (input.name = fixture),
  "containers.unfreeze": (input) => (input.name = fixture),
  "containers.destroy": (input) => (input.name = fixture),
  // Debian from a mirror is not started from here (a whole debootstrap per canary): its fields are checked up to
  // the refusal of a name that is taken.
  "containers.create": (input, variant) => {
    creationForm(input, variant, "rootfs");
    if (variant === "rootfs=1") input.name = fixture;
    delete input.template;
  },
  "types.save": (input, variant) =>
    creationForm(input.form as Record<string, unknown>, variant, "form.rootfs"),
  "provision.preview": (input, variant) => creationForm(input, variant, "rootfs"),
  "config.get": (input) => (input.name = fixture),
  "config.validate": (input) => (input.name = fixture),
  "config.save": (input) => (input.name = fixture),
  "config.history": (input) => (input.name = fixture),
  "config.version": (input) => (input.name = fixture),
  "config.restore": (input) => {
    input.name = fixture;
    input.id = versionId;
  },
  "config.browseHost": (input) => (input.path = "/"),
  "metrics.current": (input) => (input.containers = [fixture]),
  "metrics.history": (input) => {
    input.name = fixture;
    input.to = new Date();
  },
  "metrics.hostHistory": (input) => (input.to = new Date()),
  "network.nics": (input) => (input.name = fixture),
  "network.attach": (input) => {
    input.container = fixture;
    input.link = "atbr0";
    delete input.macvlanMode;
  },
  "network.detach": (input) => (input.container = fixture),
  "jobs.get": (input) => (input.id = jobId),
  "jobs.cancel": (input) => (input.id = jobId),
  "snapshots.list": (input) => (input.name = fixture),
  "snapshots.create": (input) => (input.name = fixture),
  "snapshots.restore": (input) => {
    input.name = fixture;
    input.snapshot = "snap0";
  },
  "snapshots.delete": (input) => {
    input.name = fixture;
    input.snapshot = "snap0";
  },
  "packages.list": (input) => (input.name = fixture),
  "packages.search": (input) => (input.name = fixture),
  "packages.install": (input) => (input.name = fixture),
  "packages.remove": (input) => (input.name = fixture),
  "packages.upgrade": (input) => (input.name = fixture),
  "services.list": (input) => (input.name = fixture),
  "services.start": (input) => (input.name = fixture),
  "services.stop": (input) => (input.name = fixture),
  "services.restart": (input) => (input.name = fixture),
  "services.enable": (input) => (input.name = fixture),
  "services.disable": (input) => (input.name = fixture),
  "types.createFrom": (input) => (input.type = "type0"),
  // Files inside the fixture: what the canaries may write lands in its rootfs only.
  "files.list": (input) => Object.assign(input, { name: fixture, path: "/" }),
  "files.stat": (input) => Object.assign(input, { name: fixture, path: "/etc/passwd" }),
  "files.read": (input) => Object.assign(input, { name: fixture, path: "/etc/passwd" }),
  "files.accounts": (input) => (input.name = fixture),
  "files.shortcuts": (input) => (input.name = fixture),
  "files.write": (input) => Object.assign(input, { name: fixture, path: "/tmp/canary-write" }),
  "files.mkdir": (input) => Object.assign(input, { name: fixture, path: "/tmp/canary-dir" }),
  "files.rename": (input) =>
    Object.assign(input, { name: fixture, from: "/tmp/canary-write", to: "/tmp/canary-renamed" }),
  "files.delete": (input) => Object.assign(input, { name: fixture, path: "/tmp/canary-none" }),
  "files.chmod": (input) => Object.assign(input, { name: fixture, path: "/tmp/canary-write" }),
  "files.chown": (input) => Object.assign(input, { name: fixture, path: "/tmp/canary-write" }),
  "files.symlink": (input) => Object.assign(input, { name: fixture, path: "/tmp/canary-link" }),
  "users.setRole": (input) => (input.id = userId),
  "users.setDisabled": (input) => (input.id = userId),
  "users.resetPassword": (input) => (input.id = userId),
  // Never the right password: a success would end the viewer's own sessions and tokens mid-walk.
  "account.changePassword": (input) => (input.currentPassword = "not-the-password"),
};

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, TProcedure>).map(
  ([name, procedure]) => ({
    name,
    kind: procedure._def.type === "query" ? ("query" as const) : ("mutation" as const),
    tier: procedure._def.meta?.tier ?? "admin",
    schema: procedure._def.inputs[0],
  }),
);

/** Every variant of a procedure's input, each with the string leaves it is meant to reach. */
const variantsOf = (name: string, schema: TZod): TVariant[] => {
  const sites = unionSites(schema);
  const make = (label: string, choice: Record<string, number>) => {
    const made = generate(schema, [], (site) => choice[site] ?? 0, unique());
    const input = made.value as Record<string, unknown>;
    FIXTURES[name]?.(input, label);
    return { label, input, leaves: made.leaves };
  };
  const first = make("", {});
  const others = sites.flatMap(({ site, options }) =>
    Array.from({ length: options - 1 }, (_, index) => {
      const variant = make(`${site}=${index + 1}`, { [site]: index + 1 });
      // The other options of a union reach only the fields of their own branch; the rest is reached by the first.
      return { ...variant, leaves: variant.leaves.filter((leaf) => leaf.path.join(".").startsWith(site)) };
    }),
  );
  return [first, ...others];
};

const asRole = (tier: TTier): TRole | null => (tier === "public" ? null : tier);

/**
 * A procedure whose input says which version of a config it is based on (`baseVersion`: config.save and restore,
 * network.attach and detach) is sent the file's real current version, read just before the call (a canary saved
 * before changes it), so that a canary reaches the privilege check and the write path instead of a CONFLICT.
 * config.save's text is the container's current text with the canary as a line of its own: what a canary line does
 * is judged on its own, not drowned by the removal of every other line.
 */
const basedOnCurrent = async (
  name: string,
  input: Record<string, unknown>,
  field: string,
  canary: string,
  as: TRole,
) => {
  const container = input.name ?? input.container;
  if (!("baseVersion" in input) || field === "baseVersion" || container !== fixture) return;
  const current = await callProcedure(server, "config.get", { name: container }, { kind: "query", as });
  expect(current.status, JSON.stringify(current.error)).toBe(200);
  const { version, raw } = current.data as { version: string; raw: string };
  input.baseVersion = version;
  if (name === "config.save" && field === "raw")
    input.raw = `${raw.endsWith("\n") ? raw : `${raw}\n`}${canary}\n`;
};

/** Names of a directory (empty when it does not exist). */
const names = async (dir: string) => (existsSync(dir) ? (await readdir(dir)).sort() : []);

/** What must not change outside this file's own lxcpath. */
const outside = async () => ({
  // This file's own temporary directory (tests/pool.ts), and the host's.
  tmp: await names(os.tmpdir()),
  hostTmp: (await names("/tmp")).filter(
    (entry) => entry.startsWith("atelier-") && !entry.startsWith("atelier-test-"),
  ),
  root: await names("/"),
  etc: await names("/etc"),
  repository: await names(process.cwd()),
  // This file's environment (tests/pool.ts): its lxcpath, data directories and the canary directory.
  environment: await names(path.dirname(lxcPath())),
});

beforeAll(async () => {
  canaryDir = path.join(path.dirname(lxcPath()), "canaries");
  await mkdir(canaryDir, { recursive: true });
  fixture = await createBusybox(server);
  const snapshot = await callProcedure(server, "snapshots.create", { name: fixture, comment: "" });
  expect(snapshot.status, JSON.stringify(snapshot.error)).toBe(200);
  // A saved change, so that the config has a history: config.restore brings back the version first found.
  const found = (await callProcedure(server, "config.get", { name: fixture }, { kind: "query" })).data as {
    raw: string;
    version: string;
  };
  const note = await callProcedure(server, "config.save", {
    name: fixture,
    raw: `${found.raw}# the canary walk's fixture\n`,
    baseVersion: found.version,
  });
  expect(note.status, JSON.stringify(note.error)).toBe(200);
  const history = await callProcedure(
    server,
    "config.history",
    { name: fixture },
    { kind: "query", as: "viewer" },
  );
  expect(history.status, JSON.stringify(history.error)).toBe(200);
  versionId = (history.data as { id: number }[]).at(-1)!.id;
  const type = await callProcedure(server, "types.save", {
    name: "type0",
    form: { rootfs: { kind: "busybox" } },
  });
  expect(type.status, JSON.stringify(type.error)).toBe(200);
  const jobs = (await callProcedure(server, "jobs.list", undefined, { kind: "query", as: "viewer" }))
    .data as {
    id: string;
  }[];
  jobId = jobs[0]!.id;
  const user = await callProcedure(
    server,
    "users.create",
    { username: "canary-target", role: "viewer", password: "Pw-canary-target-1" },
    { as: "admin" },
  );
  expect(user.status, JSON.stringify(user.error)).toBe(200);
  userId = (user.data as { id: number }).id;
});

describe("injection canaries", () => {
  it("reach every string field of every procedure, are refused naming it or taken as harmless data", async () => {
    const before = await outside();
    const failures: string[] = [];
    const reached = new Set<string>();
    const jobs: string[] = [];
    /** What config.save answered each canary line of its text. */
    const saved: string[] = [];
    let calls = 0;
    for (const { name, kind, tier, schema } of procedures) {
      if (!schema) continue;
      const unions = new Set(unionSites(schema).map(({ site }) => site));
      for (const variant of variantsOf(name, schema)) {
        const valid = schema.safeParse(variant.input);
        if (!valid.success) {
          failures.push(`${name} ${variant.label}: the generated input is not valid: ${String(valid.error)}`);
          continue;
        }
        for (const leaf of variant.leaves) {
          const field = leaf.path.join(".");
          for (const canary of canaries()) {
            const input = structuredClone(variant.input);
            for (const key of FRESH[name] ?? []) {
              if (key in input && !(variant.label === "rootfs=1" && key === "name"))
                input[key] = `c${unique()}`;
            }
            setAt(input, leaf.path, canary);
            await basedOnCurrent(name, input, field, canary, asRole(tier) ?? "admin");
            calls += 1;
            const response = await callProcedure(server, name, input, { kind, as: asRole(tier) });
            reached.add(`${name} ${variant.label} ${field}`);
            const where = `${name} ${variant.label} ${field} ${JSON.stringify(canary.slice(0, 40))}`;
            const named = response.error?.data.field ?? "";
            if (response.status === 400) {
              // The field itself, or the union holding it (zod names a union none of whose options fits).
              const fieldOrUnion = named === field || (unions.has(named) && field.startsWith(`${named}.`));
              if (!fieldOrUnion && STOPPED_BY[name] !== named)
                failures.push(`${where}: 400 names "${named}" (${response.error?.message})`);
            } else if (response.status >= 500 || ![200, 401, 403, 404, 409, 412].includes(response.status)) {
              failures.push(`${where}: ${response.status} ${response.error?.message ?? ""}`);
            } else if (response.status === 409 && named === "baseVersion" && field !== "baseVersion") {
              failures.push(
                `${where}: a CONFLICT on baseVersion, so the canary never reached the privilege check`,
              );
            }
            if (name === "config.save" && field === "raw")
              saved.push(`${response.status} ${JSON.stringify(canary)}`);
            const started = (response.data as { jobId?: string } | undefined)?.jobId;
            if (started) jobs.push(started);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    // config.save's canaries reached the privilege check: the hook line is refused as admin-only (403), not as a
    // conflict; the others are refused with the text's field (400) or saved as lines liblxc ignores (200).
    expect(
      saved.find((answer) => answer.includes("lxc.hook.pre-start")),
      saved.join("\n"),
    ).toMatch(/^403 /);
    expect(
      saved.every((answer) => /^(200|400|403) /.test(answer)),
      saved.join("\n"),
    ).toBe(true);
    // Every string field of every procedure was reached (the generator found a valid input for each).
    const expectedFields = procedures.flatMap(({ name, schema }) =>
      schema
        ? variantsOf(name, schema).flatMap((variant) =>
            variant.leaves.map((leaf) => `${name} ${variant.label} ${leaf.path.join(".")}`),
          )
        : [],
    );
    expect([...new Set(expectedFields)].filter((field) => !reached.has(field))).toEqual([]);
    expect(reached.size).toBeGreaterThan(100);
    expect(calls).toBe(reached.size * canaries().length);

    // What the canaries started (containers made with a canary as a password, say) ran to its end...
    for (const id of jobs) await waitJob(server, id);
    // ...and left no canary file, no hook in any config, and nothing outside this file's lxcpath.
    expect(await readdir(canaryDir)).toEqual([]);
    for (const container of await names(lxcPath())) {
      expect(container, "a container named after a canary").toMatch(/^[a-z0-9][a-z0-9-]*$/);
      const config = await readFile(path.join(lxcPath(), container, "config"), "utf8");
      expect(
        config.split("\n").filter((line) => /^\s*lxc\.hook/.test(line)),
        container,
      ).toEqual([]);
    }
    expect(await outside()).toEqual(before);

    // Every mutation was audited with the actor of the token it came with, never a name from its input.
    const db = createDb(server.databaseUrl);
    const entries = await db.auditEntry.findMany({ where: { via: "token" } });
    await db.$disconnect();
    const called = new Set([...reached].map((entry) => entry.split(" ")[0]));
    for (const { name, tier } of procedures.filter(
      ({ name, kind, tier }) => kind === "mutation" && tier !== "public" && called.has(name),
    )) {
      expect(
        entries.some((entry) => entry.action === name && entry.actor === tier),
        name,
      ).toBe(true);
    }
    expect(entries.every((entry) => ["admin", "operator", "viewer"].includes(entry.actor))).toBe(true);
  });
});
