/** The languages Atelier speaks. English is the API's language and the fallback. */
export const LOCALES = ["en", "fr"] as const;
export type TLocale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: TLocale = "en";

/** Each language's own name, as its speakers write it (the switch lists them so). */
export const LOCALE_NAMES: Record<TLocale, string> = { en: "English", fr: "Français" };

export const isLocale = (value: unknown): value is TLocale =>
  typeof value === "string" && (LOCALES as readonly string[]).includes(value);

/**
 * The request header server/main.ts sets on every page request before Next renders it (any value a client sent is
 * replaced): the one place the pages learn the language from.
 */
export const LOCALE_HEADER = "x-atelier-locale";
