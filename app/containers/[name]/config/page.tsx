import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { ConfigEditor } from "@/components/config/config-editor";

type TProps = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: TProps): Promise<Metadata> {
  const t = await getTranslations("config");
  return { title: t("page.title", { name: decodeURIComponent((await params).name) }) };
}

export default async function ContainerConfigPage({ params }: TProps) {
  const t = await getTranslations("config");
  const name = decodeURIComponent((await params).name);
  return (
    <section aria-labelledby="config-heading" className="space-y-4">
      <h2 id="config-heading" className="text-lg font-semibold">
        {t("page.title", { name })}
      </h2>
      <ConfigEditor name={name} />
    </section>
  );
}
