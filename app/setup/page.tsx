import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { SetupForm } from "@/components/auth/setup-form";

export const generateMetadata = async (): Promise<Metadata> => ({
  title: (await getTranslations("auth.setup"))("title"),
});

export default async function SetupPage() {
  const t = await getTranslations("auth.setup");
  return (
    <div className="mx-auto max-w-md space-y-4">
      <h1 className="text-2xl font-semibold">{t("heading")}</h1>
      <p className="text-sm text-slate-600 dark:text-slate-300">{t("intro")}</p>
      <SetupForm />
    </div>
  );
}
