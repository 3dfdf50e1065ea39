import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { ContainersTable } from "@/components/containers/containers-table";
import { NewContainerLink } from "@/components/containers/new-container-link";

export const generateMetadata = async (): Promise<Metadata> => ({
  title: (await getTranslations("containers.list"))("title"),
});

export default async function ContainersPage() {
  const t = await getTranslations("containers.list");
  return (
    <div className="space-y-4">
      <div className="flex items-center justify-between gap-4">
        <h1 className="text-2xl font-semibold">{t("heading")}</h1>
        <NewContainerLink />
      </div>
      <ContainersTable />
    </div>
  );
}
