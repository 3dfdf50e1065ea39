import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * docs/testing.md names, for each claim, the test that backs it: a file in backquotes followed by words of test
 * titles in “curly quotes”. This checks that every file named exists and holds every title quoted after it, and
 * that every integration, security and end-to-end test file is named at least once, so that a claim cannot outlive
 * its test and a test file cannot go unmentioned.
 */
const root = path.resolve(import.meta.dirname, "../..");
const flat = (text: string) => text.replace(/\s+/g, " ");
const doc = flat(readFileSync(path.join(root, "docs/testing.md"), "utf8"));

const references = () => {
  const found: { file: string; titles: string[] }[] = [];
  for (const match of doc.matchAll(/`([\w./-]+\.(?:test|spec)\.ts)`|“([^”]+)”/g)) {
    if (match[1]) found.push({ file: match[1], titles: [] });
    else if (match[2] && found.length > 0) found.at(-1)?.titles.push(match[2]);
  }
  return found;
};

describe("docs/testing.md", () => {
  it("names only test files that exist, and only titles those files hold", () => {
    const wrong: string[] = [];
    const refs = references();
    expect(refs.length).toBeGreaterThan(50);
    for (const { file, titles } of refs) {
      const full = path.join(root, file);
      if (!existsSync(full)) {
        wrong.push(`${file}: no such file`);
        continue;
      }
      const source = flat(readFileSync(full, "utf8"));
      for (const title of titles)
        if (!source.includes(title)) wrong.push(`${file}: no test titled “${title}…”`);
    }
    expect(wrong).toEqual([]);
  });

  it("names every integration, security and end-to-end test file", () => {
    const named = new Set(references().map(({ file }) => file));
    const files = ["tests/integration", "tests/security", "e2e"].flatMap((dir) =>
      readdirSync(path.join(root, dir))
        .filter((name) => /\.(test|spec)\.ts$/.test(name))
        .map((name) => `${dir}/${name}`),
    );
    expect(files.filter((file) => !named.has(file))).toEqual([]);
  });
});
