import { useLocale } from "next-intl";
import { useCallback } from "react";
import { createTranslator } from "use-intl/core";
import { phaseWords } from "@/server/i18n/job-phases";
import type { TLocale } from "@/server/i18n/locales";
import enJobs from "@/server/i18n/messages/en/jobs.json";
import frJobs from "@/server/i18n/messages/fr/jobs.json";

const translators = new Map<TLocale, (id: string, params: Record<string, string>) => string>();

const translatorOf = (locale: TLocale) => {
  const known = translators.get(locale);
  if (known) return known;
  const t = createTranslator({
    locale,
    messages: { phases: (locale === "fr" ? frJobs : enJobs).phases },
    namespace: "phases",
  });
  const translator = (id: string, params: Record<string, string>) => t(id as never, params as never);
  translators.set(locale, translator);
  return translator;
};

/**
 * A job's phase as the server sent it (English, made from the catalogue's `jobs.phases`), in a language; a phase
 * the catalogue does not make (an older job's) stays as it was.
 */
export const phaseText = (english: string, locale: TLocale) => {
  const words = phaseWords(english);
  return words ? translatorOf(locale)(words.id, words.params) : english;
};

/** `phaseText` in the page's language. */
export const usePhaseText = () => {
  const locale = useLocale();
  return useCallback((english: string) => phaseText(english, locale), [locale]);
};
