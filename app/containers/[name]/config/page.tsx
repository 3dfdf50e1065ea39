import type { Metadata } from "next";
import { ConfigEditor } from "@/components/config/config-editor";

type TProps = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: TProps): Promise<Metadata> {
  return { title: `Config of ${decodeURIComponent((await params).name)}` };
}

export default async function ContainerConfigPage({ params }: TProps) {
  const name = decodeURIComponent((await params).name);
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Config of {name}</h1>
      <ConfigEditor name={name} />
    </div>
  );
}
