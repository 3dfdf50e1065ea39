import type { ReactNode } from "react";
import { ContainerShell } from "@/components/containers/container-shell";

type TProps = { params: Promise<{ name: string }>; children: ReactNode };

/** The header (name, state, actions) and the tabs stay put while the tab under them changes. */
export default async function ContainerLayout({ params, children }: TProps) {
  return <ContainerShell name={decodeURIComponent((await params).name)}>{children}</ContainerShell>;
}
