import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { ChangePasswordForm } from "@/components/account/change-password-form";
import { LanguageForm } from "@/components/account/language-form";
import { SessionsTable } from "@/components/account/sessions-table";
import { TokensPanel } from "@/components/account/tokens-panel";

export const generateMetadata = async (): Promise<Metadata> => ({
  title: (await getTranslations("account"))("title"),
});

const section =
  "space-y-3 rounded-lg border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900";

export default async function AccountPage() {
  const t = await getTranslations("account");
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">{t("heading")}</h1>
      <section aria-labelledby="password-heading" className={section}>
        <h2 id="password-heading" className="text-lg font-semibold">
          {t("password")}
        </h2>
        <ChangePasswordForm />
      </section>
      <section aria-labelledby="language-heading" className={section}>
        <h2 id="language-heading" className="text-lg font-semibold">
          {t("language.heading")}
        </h2>
        <LanguageForm />
      </section>
      <section aria-labelledby="sessions-heading" className={section}>
        <h2 id="sessions-heading" className="text-lg font-semibold">
          {t("sessions")}
        </h2>
        <SessionsTable />
      </section>
      <section aria-labelledby="tokens-heading" className={section}>
        <h2 id="tokens-heading" className="text-lg font-semibold">
          {t("tokens")}
        </h2>
        <TokensPanel />
      </section>
    </div>
  );
}
