import Negotiator from "negotiator";
import { DEFAULT_LOCALE, isLocale, LOCALES, type TLocale } from "./locales";

/**
 * The language of a page: the user's own choice when they made one, else the best of the browser's
 * Accept-Language (quality values, `fr-CA` for `fr`), else English.
 */
export const negotiateLocale = (
  saved: string | null | undefined,
  acceptLanguage: string | undefined,
): TLocale => {
  if (isLocale(saved)) return saved;
  const [best] = new Negotiator({ headers: { "accept-language": acceptLanguage ?? "" } }).languages([
    ...LOCALES,
  ]);
  return isLocale(best) ? best : DEFAULT_LOCALE;
};
