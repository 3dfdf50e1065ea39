import type { Metadata } from "next";
import { NetworkOverview } from "@/components/network/network-overview";

export const metadata: Metadata = { title: "Network" };

export default function NetworkPage() {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Network</h1>
      <p className="text-sm text-slate-600 dark:text-slate-300">
        The host&apos;s interfaces, bridges and routes as the kernel reports them, refreshed every 5 seconds.
      </p>
      <NetworkOverview />
    </div>
  );
}
