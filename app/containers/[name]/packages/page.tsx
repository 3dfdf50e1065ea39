import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { PackagesTab } from "@/components/containers/container-tab-panels";

type TProps = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: TProps): Promise<Metadata> {
  const t = await getTranslations("containers.titles");
  return { title: t("packages", { name: decodeURIComponent((await params).name) }) };
}

export default async function ContainerPackagesPage({ params }: TProps) {
  return <PackagesTab name={decodeURIComponent((await params).name)} />;
}
