import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { NewContainerForm } from "@/components/containers/new-container-form";

export const generateMetadata = async (): Promise<Metadata> => ({
  title: (await getTranslations("creation"))("title"),
});

export default async function NewContainerPage() {
  const t = await getTranslations("creation");
  return (
    <div className="max-w-xl space-y-4">
      <h1 className="text-2xl font-semibold">{t("heading")}</h1>
      <NewContainerForm />
    </div>
  );
}
