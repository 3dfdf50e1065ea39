import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { SnapshotsTab } from "@/components/containers/container-tab-panels";

type TProps = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: TProps): Promise<Metadata> {
  const t = await getTranslations("containers.titles");
  return { title: t("snapshots", { name: decodeURIComponent((await params).name) }) };
}

export default async function ContainerSnapshotsPage({ params }: TProps) {
  return <SnapshotsTab name={decodeURIComponent((await params).name)} />;
}
