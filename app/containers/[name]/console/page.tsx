import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { ConsoleTab } from "@/components/containers/container-tab-panels";

type TProps = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: TProps): Promise<Metadata> {
  const t = await getTranslations("containers.titles");
  return { title: t("console", { name: decodeURIComponent((await params).name) }) };
}

export default async function ContainerConsolePage({ params }: TProps) {
  return <ConsoleTab name={decodeURIComponent((await params).name)} />;
}
