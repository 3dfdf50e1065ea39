import type { Metadata } from "next";
import { NetworkTab } from "@/components/containers/container-tab-panels";

type TProps = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: TProps): Promise<Metadata> {
  return { title: `Network of ${decodeURIComponent((await params).name)}` };
}

export default async function ContainerNetworkPage({ params }: TProps) {
  return <NetworkTab name={decodeURIComponent((await params).name)} />;
}
