import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { describe, expect, it } from "vitest";
import { AppError, said, type TErrorId } from "@/server/errors";
import { LOCALES } from "@/server/i18n/locales";
import { negotiateLocale } from "@/server/i18n/negotiate";
import { MESSAGES } from "@/server/i18n/messages";

/**
 * The catalogues (server/i18n/messages/<language>/<namespace>.json): both languages have the same keys, every
 * message is valid ICU with the same arguments and tags in both, and French is French. TypeScript already refuses
 * a key the English lacks (t() is typed by it) and a key the French lacks (messages.ts assigns it to the English
 * type); this test also catches what types cannot: extra keys, broken syntax, an argument one language forgot.
 */

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Every message of a catalogue, by dotted key. */
const flatten = (value: unknown, prefix = ""): Map<string, string> => {
  const out = new Map<string, string>();
  if (typeof value === "string") out.set(prefix, value);
  else if (value && typeof value === "object")
    for (const [key, inner] of Object.entries(value))
      for (const [k, v] of flatten(inner, prefix ? `${prefix}.${key}` : key)) out.set(k, v);
  return out;
};

/** The arguments and tags a message uses, and the selectors' options. */
const shape = (elements: MessageFormatElement[], into = new Set<string>()) => {
  for (const element of elements) {
    if (element.type === TYPE.argument || element.type === TYPE.number || element.type === TYPE.date)
      into.add(`{${element.value}}`);
    if (element.type === TYPE.time) into.add(`{${element.value}}`);
    if (element.type === TYPE.tag) {
      into.add(`<${element.value}>`);
      shape(element.children, into);
    }
    if (element.type === TYPE.select || element.type === TYPE.plural) {
      into.add(`{${element.value}}`);
      for (const option of Object.values(element.options)) shape(option.value, into);
    }
  }
  return into;
};

const english = flatten(MESSAGES.en);

describe("the catalogues", () => {
  it("hold one file per namespace in each language, the same namespaces", () => {
    const [first, ...others] = LOCALES.map((locale) =>
      readdirSync(path.join(ROOT, "server/i18n/messages", locale)).sort(),
    );
    for (const other of others) expect(other).toEqual(first);
  });

  it.each(LOCALES.filter((locale) => locale !== "en"))("%s has exactly the English keys", (locale) => {
    const keys = [...flatten(MESSAGES[locale]).keys()].sort();
    expect(keys).toEqual([...english.keys()].sort());
  });

  it.each(LOCALES)("every %s message is valid ICU with the English arguments and tags", (locale) => {
    const messages = flatten(MESSAGES[locale]);
    const wrong: string[] = [];
    for (const [key, text] of messages) {
      if (text.trim() === "") wrong.push(`${key}: empty`);
      try {
        const mine = [...shape(parse(text))].sort();
        const reference = [...shape(parse(english.get(key) ?? ""))].sort();
        if (mine.join() !== reference.join())
          wrong.push(`${key}: uses ${mine.join(" ")}, English ${reference.join(" ")}`);
      } catch (error) {
        wrong.push(`${key}: ${(error as Error).message}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("French writes apostrophes as ’ (a straight ' starts an ICU quote and swallows what follows)", () => {
    const straight = [...flatten(MESSAGES.fr)].filter(([, text]) => text.includes("'")).map(([key]) => key);
    expect(straight).toEqual([]);
  });

  // A French sentence equal to its English is a string someone forgot to translate. A few words are the same in
  // both languages (a product, a unit, "Type", "Configuration"): they are listed here, each on purpose.
  const SAME_IN_BOTH = new Set<string>([]);
  it("French is not English left as it was", () => {
    const french = flatten(MESSAGES.fr);
    const untranslated = [...english]
      .filter(([, text]) => /\p{L}{2,}.*\s.*\p{L}{2,}/u.test(text.replace(/\{[^}]*\}|<[^>]*>/g, "")))
      .filter(([key, text]) => french.get(key) === text && !SAME_IN_BOTH.has(key))
      .map(([key]) => key);
    expect(untranslated).toEqual([]);
  });
});

describe("server errors", () => {
  it("are worded from the catalogue: English for the API, the id and values for the pages", () => {
    const error = new AppError(
      "NOT_FOUND",
      said("containerNotFound", { name: "web1", lxcPath: "/var/lib/lxc" }),
    );
    expect(error.message).toBe('There is no container named "web1"');
    expect(error.hint).toBe("Check the name; containers are looked up in /var/lib/lxc.");
    expect(error.id).toBe("containerNotFound");
    expect(error.params).toEqual({ name: "web1", lxcPath: "/var/lib/lxc" });
  });

  it("name only ids the catalogue has (every said(...) in the server's source)", () => {
    const ids = new Set(Object.keys(MESSAGES.en.errors));
    const used: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (/\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name))
          for (const match of readFileSync(file, "utf8").matchAll(/\bsaid\(\s*"([^"]+)"/g))
            used.push(match[1] as TErrorId);
      }
    };
    walk(path.join(ROOT, "server"));
    expect(used.filter((id) => !ids.has(id))).toEqual([]);
  });

  // The places that build an AppError from words they were handed, not from a sentence of their own: each copies
  // an error's id and values (or its English alone when it had none), so the pages still word what it says.
  const COPIES_WORDS = new Map<string, number>([
    // The helper's error as it crossed the socket: its id and values come with it (wordsOf).
    ["server/helper/contract/protocol.ts", 1],
    // refuse(index, field, said(...)): a network plan's refusal, with the field of the change at fault.
    ["server/host-network/plan.ts", 1],
  ]);
  it("are all said(...): every new AppError( in the server's source names its sentence", () => {
    /** The text of the call's arguments: from its "(" to the matching ")", strings and comments skipped. */
    const callAt = (source: string, open: number) => {
      let depth = 0;
      for (let at = open; at < source.length; at += 1) {
        const char = source[at];
        if (char === '"' || char === "'" || char === "`") {
          // A string, skipped to its closing quote (a template's ${...} with it).
          for (at += 1; at < source.length && source[at] !== char; at += 1) if (source[at] === "\\") at += 1;
        } else if (char === "/" && (source[at + 1] === "/" || source[at + 1] === "*")) {
          // A comment, skipped to its end (the line's, or the "*/").
          const isLine = source[at + 1] === "/";
          const end = source.indexOf(isLine ? "\n" : "*/", at + 2);
          at = end === -1 ? source.length : isLine ? end : end + 1;
        } else if (char === "(") depth += 1;
        else if (char === ")" && --depth === 0) return source.slice(open, at + 1);
      }
      return source.slice(open);
    };
    const unsaid = new Map<string, number>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (/\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) {
          const source = readFileSync(file, "utf8");
          for (const match of source.matchAll(/\bnew AppError\(/g)) {
            const before = source.lastIndexOf("\n", match.index);
            if (/^\s*(\*|\/\/)/.test(source.slice(before + 1, match.index))) continue; // in a comment
            if (/\bsaid\(/.test(callAt(source, match.index + match[0].length - 1))) continue;
            const relative = path.relative(ROOT, file);
            unsaid.set(relative, (unsaid.get(relative) ?? 0) + 1);
          }
        }
      }
    };
    walk(path.join(ROOT, "server"));
    expect(Object.fromEntries(unsaid)).toEqual(Object.fromEntries(COPIES_WORDS));
  });
});

describe("the language of a page", () => {
  it.each([
    [null, undefined, "en"],
    [null, "", "en"],
    [null, "fr-FR,fr;q=0.9,en;q=0.8", "fr"],
    [null, "fr-CA", "fr"],
    [null, "de-DE,de;q=0.9", "en"],
    [null, "de;q=1, fr;q=0.5, en;q=0.4", "fr"],
    [null, "en-GB, fr;q=0.9", "en"],
    ["fr", "en-US", "fr"],
    ["en", "fr", "en"],
    // A value the database should never hold is not trusted: the browser decides.
    ["xx", "fr", "fr"],
    [null, "*", "en"],
    [null, "x".repeat(10_000), "en"],
  ] as const)("saved %s, Accept-Language %s: %s", (saved, header, expected) => {
    expect(negotiateLocale(saved, header)).toBe(expected);
  });
});

describe("the server's English", () => {
  it("is worded without React or use-intl (the root helper loads it)", () => {
    const sources = [
      "server/errors.ts",
      "server/i18n/icu.ts",
      "server/i18n/english.ts",
      "server/i18n/job-phases.ts",
    ];
    for (const file of sources)
      expect(readFileSync(path.join(ROOT, file), "utf8"), file).not.toMatch(
        /from "(use-intl|next-intl|react)/,
      );
  });

  it("is the same as next-intl words it, for every error with sample values", async () => {
    const { createTranslator } = await import("use-intl/core");
    const t = createTranslator({ locale: "en", messages: MESSAGES.en as never });
    const argumentsOf = (text: string) => [...shape(parse(text))].filter((part) => part.startsWith("{"));
    for (const [id, entry] of Object.entries(MESSAGES.en.errors)) {
      const values = Object.fromEntries(
        argumentsOf(entry.message + ("hint" in entry ? String(entry.hint) : "")).map((name) => [
          name.slice(1, -1),
          "x",
        ]),
      );
      const worded = said(id as TErrorId, values);
      expect(worded.message, id).toBe(t(`errors.${id}.message` as never, values as never));
    }
  });
});
