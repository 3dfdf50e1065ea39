import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { ServicesTab } from "@/components/containers/container-tab-panels";

type TProps = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: TProps): Promise<Metadata> {
  const t = await getTranslations("containers.titles");
  return { title: t("services", { name: decodeURIComponent((await params).name) }) };
}

export default async function ContainerServicesPage({ params }: TProps) {
  return <ServicesTab name={decodeURIComponent((await params).name)} />;
}
