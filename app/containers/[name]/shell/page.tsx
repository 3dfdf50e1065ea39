import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { ShellTab } from "@/components/containers/container-tab-panels";

type TProps = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: TProps): Promise<Metadata> {
  const t = await getTranslations("containers.titles");
  return { title: t("shell", { name: decodeURIComponent((await params).name) }) };
}

export default async function ContainerShellPage({ params }: TProps) {
  return <ShellTab name={decodeURIComponent((await params).name)} />;
}
