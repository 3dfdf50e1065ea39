import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { AuditLog } from "@/components/audit/audit-log";

export const generateMetadata = async (): Promise<Metadata> => ({
  title: (await getTranslations("audit"))("title"),
});

export default async function AuditPage() {
  const t = await getTranslations("audit");
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">{t("heading")}</h1>
      <p className="text-sm text-slate-600 dark:text-slate-300">{t("intro")}</p>
      <AuditLog />
    </div>
  );
}
