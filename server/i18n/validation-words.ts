import { inEnglish } from "./english";
import type { TMessages } from "./messages";

/**
 * What the shared rules say of a value (the zod schemas' messages, a config's line problems, value checks and
 * admin-only reasons), from one source: the `validation` catalogue. A rule names its sentence by id and values; its
 * English (the API's answer, the tests', a script's) is the catalogue's English worded from them, and the pages word
 * the same id and values in the reader's language (components/i18n/use-validation-words.ts).
 *
 * An id is the sentence's whole key in the catalogues ("validation.lint.unknownKey"), so a page words it with one
 * translator. A value may itself be a sentence (a value's problem inside a line problem): it is worded first, in the
 * same language. Numbers that are not counted things (a line number, an index) are given as strings, shown as they
 * are (ICU would group 1234 as 1,234).
 */

/** Dotted paths to every sentence of a part of the catalogue. */
type TPaths<T, P extends string = ""> = {
  [K in Extract<keyof T, string>]: T[K] extends string ? `${P}${K}` : TPaths<T[K], `${P}${K}.`>;
}[Extract<keyof T, string>];

/** The `validation` catalogue's shape (its English). */
export type TValidationCatalogue = TMessages["validation"];
export type TValidationId = `validation.${TPaths<TValidationCatalogue>}`;
export type TValidationValue = string | number | TValidationWords;
export type TValidationParams = { readonly [name: string]: TValidationValue };
/** A sentence of the `validation` catalogue: its id and values. */
export type TValidationWords = { readonly id: TValidationId; readonly params?: TValidationParams };
/** A sentence with its English: what a rule returns (a problem's `message`, a lock's `reason`). */
export type TWorded = TValidationWords & { readonly message: string };

/** Words as they arrive from the wire or a zod issue: any id, values of any kind. */
export type TLooseWords = { readonly id: string; readonly params?: Readonly<Record<string, unknown>> };

/** A translator's call: a sentence's whole key and its (already worded) values. */
export type TSay = (id: string, values: Record<string, string | number>) => string;

const isWords = (value: unknown): value is TLooseWords =>
  typeof value === "object" && value !== null && typeof (value as { id?: unknown }).id === "string";

/** A sentence worded by a translator, its values that are sentences worded first by the same translator. */
export const sayWords = (say: TSay, words: TLooseWords): string => {
  const values: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(words.params ?? {}))
    values[name] = isWords(value) ? sayWords(say, value) : typeof value === "number" ? value : String(value);
  return say(words.id, values);
};

/** A sentence's English (the catalogue's, as the server's other sentences: ./english.ts). */
export const englishOf = (words: TLooseWords): string =>
  sayWords((id, params) => inEnglish({ id, params }), words);

/**
 * A rule's sentence: its English with its id and values, `{ message, id, params }` (no `params` when it has none),
 * to spread into a problem: `{ line, severity: "error", ...worded("validation.lint.unknownKey", { key }) }`.
 */
export const worded = (id: TValidationId, params?: TValidationParams): TWorded => {
  const words = params && Object.keys(params).length > 0 ? { id, params } : { id };
  return { message: englishOf(words), ...words };
};

/** A worded sentence's id and values alone (without its English). */
export const wordsOf = ({ id, params }: TValidationWords): TValidationWords =>
  params === undefined ? { id } : { id, params };
