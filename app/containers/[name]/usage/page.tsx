import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { UsageTab } from "@/components/containers/container-tab-panels";

type TProps = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: TProps): Promise<Metadata> {
  const t = await getTranslations("containers.titles");
  return { title: t("usage", { name: decodeURIComponent((await params).name) }) };
}

export default async function ContainerUsagePage({ params }: TProps) {
  return <UsageTab name={decodeURIComponent((await params).name)} />;
}
