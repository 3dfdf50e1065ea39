import { headers } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { DEFAULT_LOCALE, isLocale, LOCALE_HEADER } from "@/server/i18n/locales";
import { MESSAGES } from "@/server/i18n/messages";

// The host's time zone: the panel shows the times of the machine it runs (its logs, its jobs), the same on the
// server's render and in the browser.
const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * The language of this page request, as server/main.ts negotiated it (the user's choice, else Accept-Language)
 * and wrote in LOCALE_HEADER, replacing whatever a client sent there.
 */
export default getRequestConfig(async () => {
  const asked = (await headers()).get(LOCALE_HEADER);
  const locale = isLocale(asked) ? asked : DEFAULT_LOCALE;
  return { locale, messages: MESSAGES[locale], timeZone };
});
