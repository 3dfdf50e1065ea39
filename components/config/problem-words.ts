import { useTranslations } from "next-intl";
import { useMemo } from "react";
import english from "@/server/i18n/messages/en/config.json" with { type: "json" };
import type { TKeyInfo } from "@/server/schemas/lxc-config/catalogue";
import type { TConfigT } from "./config-editor-draft";

/**
 * The shared config rules (server/schemas/lxc-config/) word their findings in English: the validator's line
 * problems, a value's type check, the reason a line is the admin's, and the catalogue's one-line description of
 * each key. The browser runs those rules itself (the raw editor's lint, the problem lists, the settings form's
 * fields and locks); this module says what they found in the page's language. Each English sentence is a template
 * of the `config` catalogue (`lint`, `values`, `locks`): a sentence matching one is said again with that key and
 * the values read from it, a sentence that matches none is shown as the rules wrote it.
 */
export type TGroup = "lint" | "values" | "locks";

/** A rule's sentence recognised: its catalogue key (under `config`) and the values it was said with. */
export type TWording = { key: `${TGroup}.${string}`; values: Record<string, string> };

/** Values that are themselves sentences of another group: a value's problem inside a line problem. */
const NESTED: Partial<Record<string, TGroup>> = { problem: "values" };

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A template as a pattern: each {name} a lazy group (a name used twice must hold the same text). */
export const compileTemplate = (template: string) => {
  const names: string[] = [];
  let source = "";
  let literal = 0;
  for (const part of template.split(/(\{\w+\})/)) {
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (name === undefined) {
      source += escape(part);
      literal += part.length;
    } else {
      source += names.includes(name) ? `\\k<${name}>` : `(?<${name}>.+?)`;
      names.push(name);
    }
  }
  return { pattern: new RegExp(`^${source}$`, "s"), literal };
};

/** Each group's templates, the most literal first ("Unknown key X: did you mean Y?" before "Unknown key X"). */
const PATTERNS = Object.fromEntries(
  (["lint", "values", "locks"] as const).map((group) => [
    group,
    Object.entries(english[group] as Record<string, string>)
      .map(([key, template]) => ({ key, ...compileTemplate(template) }))
      .sort((a, b) => b.literal - a.literal),
  ]),
) as Record<TGroup, { key: string; pattern: RegExp; literal: number }[]>;

/** The catalogue key and values of a rule's sentence, or null for a sentence no template matches. */
export const recognise = (group: TGroup, sentence: string): TWording | null => {
  for (const { key, pattern } of PATTERNS[group]) {
    const match = pattern.exec(sentence);
    if (match) return { key: `${group}.${key}`, values: { ...match.groups } };
  }
  return null;
};

/** A rule's sentence in the page's language (as the rule wrote it when no template matches). */
export const wordSentence = (t: TConfigT, group: TGroup, sentence: string): string => {
  const found = recognise(group, sentence);
  if (!found) return sentence;
  const values = Object.fromEntries(
    Object.entries(found.values).map(([name, value]) => {
      const nested = NESTED[name];
      return [name, nested ? wordSentence(t, nested, value) : value];
    }),
  );
  return t(found.key as never, values as never);
};

/** The catalogue's key id of a key's description: lxc.net.N.ipv4.address is net_N_ipv4_address. */
export const descriptionId = (key: string) =>
  key
    .replace(/^lxc\./, "")
    .replace(/\./g, "_")
    .replace(/\*$/, "any");

/** A key's one-line description in the page's language (the hooks share one sentence). */
export const wordDescription = (t: TConfigT, info: TKeyInfo): string => {
  const hook = /^lxc\.hook\.(.+)$/.exec(info.key)?.[1];
  if (hook !== undefined && hook !== "version") return t("keys.hook", { hook });
  const key = `keys.${descriptionId(info.key)}`;
  return t.has(key as never) ? t(key as never) : info.description;
};

/** The rules' words for a component: `const words = useConfigWords(); words.lint(problem.message)`. */
export const useConfigWords = () => {
  const t = useTranslations("config");
  return useMemo(
    () => ({
      /** A validator's line problem. */
      lint: (message: string) => wordSentence(t, "lint", message),
      /** Why a value does not fit its key. */
      value: (problem: string) => wordSentence(t, "values", problem),
      /** Why a line is the admin's (a line liblxc would read otherwise is locked for the validator's reason). */
      lock: (reason: string) => wordSentence(t, recognise("locks", reason) ? "locks" : "lint", reason),
      description: (info: TKeyInfo) => wordDescription(t, info),
    }),
    [t],
  );
};

export type TConfigWords = ReturnType<typeof useConfigWords>;
