import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { NetworkOverview } from "@/components/network/network-overview";

export const generateMetadata = async (): Promise<Metadata> => ({
  title: (await getTranslations("network.page"))("title"),
});

export default async function NetworkPage() {
  const t = await getTranslations("network.page");
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">{t("heading")}</h1>
      <p className="text-sm text-slate-600 dark:text-slate-300">{t("intro")}</p>
      <NetworkOverview />
    </div>
  );
}
