import { IntlMessageFormat } from "intl-messageformat";

/**
 * The server's English, worded from the catalogue with the ICU formatter alone (intl-messageformat: no React, as
 * the root helper loads this too). The pages word the same ids and values with next-intl, which formats with the
 * same library; tests compare the two.
 */

const compiled = new Map<string, IntlMessageFormat>();

/** A catalogue's message at a dotted key ("errors.containerNotFound.message"), own properties only. */
export const templateAt = (catalogue: unknown, key: string): string | undefined => {
  let node: unknown = catalogue;
  for (const part of key.split(".")) {
    if (!node || typeof node !== "object" || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === "string" ? node : undefined;
};

/**
 * The English of a catalogue's key with its values. A key the catalogue lacks, or values that do not fit it (a
 * missing value), never throw where an error is being made: the template itself is returned, its {names} showing
 * what was missing, and the problem is reported (logged; the tests fail on it).
 */
export const englishAt = (
  catalogue: unknown,
  key: string,
  values: Record<string, string | number> = {},
): string => {
  const template = templateAt(catalogue, key);
  if (template === undefined) {
    reportProblem(`no message at ${key}`);
    return key;
  }
  return formatEnglish(template, values, key);
};

/** A template's English with its values (see englishAt). */
export const formatEnglish = (template: string, values: Record<string, string | number>, key = template) => {
  try {
    let format = compiled.get(template);
    if (!format) {
      format = new IntlMessageFormat(template, "en");
      compiled.set(template, format);
    }
    return String(format.format(values));
  } catch (error) {
    reportProblem(`${key}: ${(error as Error).message}`);
    return template;
  }
};

let reportProblem = (problem: string) => {
  console.error(`Atelier's catalogue: ${problem}`);
};

/** Tests make a catalogue problem fail them instead of being logged. */
export const onCatalogueProblem = (report: (problem: string) => void) => {
  reportProblem = report;
};
