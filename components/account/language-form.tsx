"use client";

import { useMutation } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { useState } from "react";
import { useSession } from "@/components/auth/use-session";
import { useTRPC } from "@/components/trpc";
import { ErrorAlert } from "@/components/ui/error-alert";
import { SelectField } from "@/components/ui/select-field";
import { LOCALE_NAMES, LOCALES, type TLocale } from "@/server/i18n/locales";

const BROWSER = "browser";

/**
 * The language of the pages, saved on the user (every browser they sign in from follows it), or the browser's own.
 * The page reloads in the new language once the server has it.
 */
export function LanguageForm() {
  const t = useTranslations("account.language");
  const locale = useLocale();
  const trpc = useTRPC();
  const { user } = useSession();
  const [choice, setChoice] = useState<string | null>(null);
  const save = useMutation(
    trpc.account.setLocale.mutationOptions({ onSuccess: () => window.location.reload() }),
  );
  if (!user) return null;
  const current = choice ?? user.locale ?? BROWSER;
  return (
    <div className="max-w-md space-y-2">
      <SelectField
        label={t("label")}
        value={current}
        disabled={save.isPending}
        onChange={(event) => {
          const value = event.target.value;
          setChoice(value);
          save.mutate({ locale: value === BROWSER ? null : (value as TLocale) });
        }}
        options={[
          { value: BROWSER, label: t("browser", { language: LOCALE_NAMES[locale] }) },
          ...LOCALES.map((value) => ({ value, label: LOCALE_NAMES[value] })),
        ]}
      />
      <p className="text-sm text-slate-500 dark:text-slate-400">{t("hint")}</p>
      {save.isError && <ErrorAlert error={save.error} />}
      <p role="status" className="text-sm text-emerald-700 dark:text-emerald-300">
        {save.isSuccess ? t("saved") : ""}
      </p>
    </div>
  );
}
