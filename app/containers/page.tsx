import type { Metadata } from "next";
import Link from "next/link";
import { ContainersTable } from "@/components/containers/containers-table";
import { buttonClass } from "@/components/ui/button";

export const metadata: Metadata = { title: "Containers" };

export default function ContainersPage() {
  return (
    <div className="space-y-4">
      <div className="flex items-center justify-between gap-4">
        <h1 className="text-2xl font-semibold">Containers</h1>
        <Link href="/containers/new" className={buttonClass("primary")}>
          New container
        </Link>
      </div>
      <ContainersTable />
    </div>
  );
}
