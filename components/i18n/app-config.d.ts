import type { TLocale } from "@/server/i18n/locales";
import type { TMessages } from "@/server/i18n/messages";

// The catalogues type every t() call: a key the English catalogue lacks does not compile.
declare module "next-intl" {
  interface AppConfig {
    Locale: TLocale;
    Messages: TMessages;
  }
}
