import { randomBytes } from "node:crypto";

/**
 * Valid inputs generated from a zod schema, for tests that then replace one field at a time (the injection
 * canaries of tests/security/canaries.test.ts and helper.test.ts): every optional field filled in, one option of
 * each union chosen by the caller, strings and numbers picked from candidates the field's own schema accepts.
 */
export type TZod = {
  _zod: { def: Record<string, unknown> & { type: string } };
  safeParse: (v: unknown) => { success: boolean; error?: unknown };
};

export type TSegment = string | number;
export type TLeaf = { path: TSegment[]; schema: TZod };

/** The canaries: each would leave a file in `canaryDir` (or a hook line in a config) if anything ran it. */
export const canariesFor = (canaryDir: string) => [
  `;touch ${canaryDir}/semicolon`,
  `$(touch ${canaryDir}/substitution)`,
  `\`touch ${canaryDir}/backticks\``,
  `x\nlxc.hook.pre-start = /bin/sh -c "touch ${canaryDir}/hook"`,
  `../../../../../../../../..${canaryDir}/climb`,
  `-P${canaryDir}/dash`,
  `a\u0000b touch ${canaryDir}/nul`,
  "x".repeat(300),
];

/** A value unique to one call (names, usernames), so that calls do not collide with each other. */
export const unique = () => randomBytes(3).toString("hex");

/** Strings tried, in order, for a string field: the first its schema accepts is the valid value. */
export const stringCandidates = (u: string) => [
  `c${u}`,
  "10.213.0.77/24",
  "10.213.0.1",
  "atbr0",
  "00:16:3e:12:34:56",
  "0-1",
  `Pw-${u}-long-enough-1`,
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq1p0l8r7wz3vQJZ0c8u2qfX0y1mZ7ZtYpY1QK3r3bD canary@atelier",
  "http://127.0.0.1:9/debian",
  "00000000-0000-4000-8000-000000000000",
  "0".repeat(64),
  `${process.env.ATELIER_IMPORT_DIRS ?? ""}/missing-${u}.tar.gz`,
  "/",
  "snap0",
  `stream${u}0123456789`,
  "memory.limit_in_bytes",
  "partial-nothere-amd64",
  `upload-0000000a-canary${u}.tar`,
  "x",
];
export const NUMBERS = [1, 0, 10, 60, 512, 1024, 65536];

/**
 * A valid value for a schema, with every string leaf it holds. `choose(site)` picks the option of the union at
 * `site` (a path in the input); every optional field is filled in, so that every field is reached.
 */
export const generate = (
  schema: TZod,
  at: TSegment[],
  choose: (site: string) => number,
  u: string,
): { value: unknown; leaves: TLeaf[] } => {
  const def = schema._zod.def;
  switch (def.type) {
    case "object": {
      const value: Record<string, unknown> = {};
      const leaves: TLeaf[] = [];
      for (const [key, field] of Object.entries(def.shape as Record<string, TZod>)) {
        const made = generate(field, [...at, key], choose, u);
        value[key] = made.value;
        leaves.push(...made.leaves);
      }
      return { value, leaves };
    }
    case "optional":
    case "nullable":
    case "default":
    case "readonly":
      return generate(def.innerType as TZod, at, choose, u);
    case "pipe":
      return generate(def.in as TZod, at, choose, u);
    case "array": {
      const made = generate(def.element as TZod, [...at, 0], choose, u);
      return { value: [made.value], leaves: made.leaves };
    }
    case "union": {
      const options = def.options as TZod[];
      return generate(options[choose(at.join("."))] ?? options[0]!, at, choose, u);
    }
    case "string": {
      const value = stringCandidates(u).find((candidate) => schema.safeParse(candidate).success);
      if (value === undefined) throw new Error(`no valid string for ${at.join(".")}: add a candidate`);
      return { value, leaves: [{ path: at, schema }] };
    }
    case "number": {
      const value = NUMBERS.find((candidate) => schema.safeParse(candidate).success);
      if (value === undefined) throw new Error(`no valid number for ${at.join(".")}`);
      return { value, leaves: [] };
    }
    case "boolean":
      return { value: false, leaves: [] };
    case "enum":
      return { value: Object.values(def.entries as Record<string, string>)[0], leaves: [] };
    case "literal":
      return { value: (def.values as unknown[])[0], leaves: [] };
    case "date":
      return { value: new Date(Date.now() - 3_600_000), leaves: [] };
    default:
      throw new Error(`${at.join(".")}: the canary generator does not know zod's "${def.type}"`);
  }
};

/** The union sites of a schema and how many options each has. */
export const unionSites = (schema: TZod, at: TSegment[] = []): { site: string; options: number }[] => {
  const def = schema._zod.def;
  switch (def.type) {
    case "object":
      return Object.entries(def.shape as Record<string, TZod>).flatMap(([key, field]) =>
        unionSites(field, [...at, key]),
      );
    case "optional":
    case "nullable":
    case "default":
    case "readonly":
      return unionSites(def.innerType as TZod, at);
    case "pipe":
      return unionSites(def.in as TZod, at);
    case "array":
      return unionSites(def.element as TZod, [...at, 0]);
    case "union":
      return [
        { site: at.join("."), options: (def.options as TZod[]).length },
        ...(def.options as TZod[]).flatMap((option) => unionSites(option, at)),
      ];
    default:
      return [];
  }
};

export const setAt = (target: unknown, at: TSegment[], value: unknown) => {
  let node = target as Record<TSegment, unknown>;
  for (const segment of at.slice(0, -1)) node = node[segment] as Record<TSegment, unknown>;
  node[at.at(-1)!] = value;
};
