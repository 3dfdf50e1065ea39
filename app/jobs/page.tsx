import type { Metadata } from "next";
import { JobsPage } from "@/components/jobs/jobs-page";

export const metadata: Metadata = { title: "Jobs" };

export default async function Jobs({ searchParams }: { searchParams: Promise<{ id?: string }> }) {
  const { id } = await searchParams;
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Jobs</h1>
      <p className="text-sm text-slate-600 dark:text-slate-300">
        Long operations run in the background: creating, cloning, snapshotting and restoring containers.
      </p>
      <JobsPage initialId={typeof id === "string" && /^[0-9a-f-]{36}$/.test(id) ? id : null} />
    </div>
  );
}
