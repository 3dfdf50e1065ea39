import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { ReadinessSection } from "@/components/host/readiness-section";
import { UnprivilegedSection } from "@/components/host/unprivileged-section";
import { HostHistory } from "@/components/metrics/host-history";
import { HostOverview } from "@/components/metrics/host-overview";

export const generateMetadata = async (): Promise<Metadata> => ({
  title: (await getTranslations("host"))("title"),
});

export default async function HostPage() {
  const t = await getTranslations("host");
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">{t("title")}</h1>
      <p className="text-sm text-slate-600 dark:text-slate-300">{t("intro")}</p>
      <ReadinessSection />
      <HostOverview />
      <HostHistory />
      <UnprivilegedSection />
    </div>
  );
}
