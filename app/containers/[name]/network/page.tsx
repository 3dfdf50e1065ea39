import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { NetworkTab } from "@/components/containers/container-tab-panels";

type TProps = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: TProps): Promise<Metadata> {
  const t = await getTranslations("containers.titles");
  return { title: t("network", { name: decodeURIComponent((await params).name) }) };
}

export default async function ContainerNetworkPage({ params }: TProps) {
  return <NetworkTab name={decodeURIComponent((await params).name)} />;
}
