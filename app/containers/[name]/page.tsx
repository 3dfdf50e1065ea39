import type { Metadata } from "next";
import { ContainerOverview } from "@/components/containers/container-overview";

type TProps = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: TProps): Promise<Metadata> {
  return { title: decodeURIComponent((await params).name) };
}

export default async function ContainerOverviewPage({ params }: TProps) {
  return <ContainerOverview name={decodeURIComponent((await params).name)} />;
}
