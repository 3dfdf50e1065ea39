import type { Metadata } from "next";
import { HostOverview } from "@/components/metrics/host-overview";

export const metadata: Metadata = { title: "Host" };

export default function HostPage() {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Host</h1>
      <p className="text-sm text-slate-600 dark:text-slate-300">
        This machine and its containers right now, updated every second.
      </p>
      <HostOverview />
    </div>
  );
}
