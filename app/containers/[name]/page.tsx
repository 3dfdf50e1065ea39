import type { Metadata } from "next";
import { ContainerDetail } from "@/components/containers/container-detail";

type TProps = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: TProps): Promise<Metadata> {
  return { title: decodeURIComponent((await params).name) };
}

export default async function ContainerPage({ params }: TProps) {
  return <ContainerDetail name={decodeURIComponent((await params).name)} />;
}
