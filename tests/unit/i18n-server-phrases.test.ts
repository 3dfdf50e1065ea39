import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MESSAGES } from "@/server/i18n/messages";

/**
 * The server's sentences that are not errors (server/i18n/english.ts, `phrase`): under network.json's "server" key
 * in both languages (tests/unit/i18n-catalogues.test.ts checks that their keys and ICU arguments match), every
 * phrase(...) of the server's source names one of them, and each of them is said somewhere.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");

const flatten = (value: unknown, prefix = ""): string[] =>
  typeof value === "string"
    ? [prefix]
    : Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) =>
        flatten(inner, prefix ? `${prefix}.${key}` : key),
      );

const sentences = new Set(flatten(MESSAGES.en.network.server));

/** Every phrase("...") key in the server's source (tests aside). */
const used = () => {
  const keys: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name))
        for (const match of readFileSync(file, "utf8").matchAll(/\bphrase\(\s*(?:"([^"]+)"|([^,)]+))/g))
          if (match[1]) keys.push(match[1]);
          else
            // phrase(condition ? "a" : "b"): each key the expression names.
            for (const quoted of (match[2] ?? "").matchAll(/"([^"]+)"/g)) keys.push(quoted[1] ?? "");
    }
  };
  walk(path.join(ROOT, "server"));
  return keys;
};

describe("the server's sentences", () => {
  it("are in both languages", () => {
    expect(sentences.size).toBeGreaterThan(0);
    expect(flatten(MESSAGES.fr.network.server).sort()).toEqual([...sentences].sort());
  });

  it("are each said by the server, and the server says only those", () => {
    const keys = used();
    expect(keys.filter((key) => !sentences.has(key))).toEqual([]);
    expect([...sentences].filter((key) => !keys.includes(key))).toEqual([]);
  });
});
