import type { Metadata } from "next";
import { SnapshotsTab } from "@/components/containers/container-tab-panels";

type TProps = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: TProps): Promise<Metadata> {
  return { title: `Snapshots of ${decodeURIComponent((await params).name)}` };
}

export default async function ContainerSnapshotsPage({ params }: TProps) {
  return <SnapshotsTab name={decodeURIComponent((await params).name)} />;
}
