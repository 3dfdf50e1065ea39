import type { Metadata } from "next";
import { ConfigEditor } from "@/components/config/config-editor";

type TProps = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: TProps): Promise<Metadata> {
  return { title: `Config of ${decodeURIComponent((await params).name)}` };
}

export default async function ContainerConfigPage({ params }: TProps) {
  const name = decodeURIComponent((await params).name);
  return (
    <section aria-labelledby="config-heading" className="space-y-4">
      <h2 id="config-heading" className="text-lg font-semibold">
        Config of {name}
      </h2>
      <ConfigEditor name={name} />
    </section>
  );
}
