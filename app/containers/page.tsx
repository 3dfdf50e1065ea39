import type { Metadata } from "next";
import { ContainersTable } from "@/components/containers/containers-table";
import { NewContainerLink } from "@/components/containers/new-container-link";

export const metadata: Metadata = { title: "Containers" };

export default function ContainersPage() {
  return (
    <div className="space-y-4">
      <div className="flex items-center justify-between gap-4">
        <h1 className="text-2xl font-semibold">Containers</h1>
        <NewContainerLink />
      </div>
      <ContainersTable />
    </div>
  );
}
