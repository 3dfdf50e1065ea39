import type { Metadata } from "next";
import { UsageTab } from "@/components/containers/container-tab-panels";

type TProps = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: TProps): Promise<Metadata> {
  return { title: `Usage of ${decodeURIComponent((await params).name)}` };
}

export default async function ContainerUsagePage({ params }: TProps) {
  return <UsageTab name={decodeURIComponent((await params).name)} />;
}
