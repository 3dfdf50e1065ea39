import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { JobsPage } from "@/components/jobs/jobs-page";

export const generateMetadata = async (): Promise<Metadata> => ({
  title: (await getTranslations("jobs"))("title"),
});

export default async function Jobs({ searchParams }: { searchParams: Promise<{ id?: string }> }) {
  const { id } = await searchParams;
  const t = await getTranslations("jobs");
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">{t("title")}</h1>
      <p className="text-sm text-slate-600 dark:text-slate-300">{t("intro")}</p>
      <JobsPage initialId={typeof id === "string" && /^[0-9a-f-]{36}$/.test(id) ? id : null} />
    </div>
  );
}
