import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { AutostartBoard } from "@/components/autostart/autostart-board";

export const generateMetadata = async (): Promise<Metadata> => ({
  title: (await getTranslations("autostart"))("title"),
});

export default async function AutostartPage() {
  const t = await getTranslations("autostart");
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">{t("title")}</h1>
      <p className="text-sm text-slate-600 dark:text-slate-300">{t("intro")}</p>
      <AutostartBoard />
    </div>
  );
}
