import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Suspense } from "react";
import { FilesPanel } from "@/components/files/files-panel";

type TProps = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: TProps): Promise<Metadata> {
  const t = await getTranslations("containers.titles");
  return { title: t("files", { name: decodeURIComponent((await params).name) }) };
}

// The panel reads its directory from the address (useSearchParams): a Suspense boundary, as Next asks of it.
export default async function ContainerFilesPage({ params }: TProps) {
  return (
    <Suspense>
      <FilesPanel name={decodeURIComponent((await params).name)} />
    </Suspense>
  );
}
