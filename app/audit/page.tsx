import type { Metadata } from "next";
import { AuditLog } from "@/components/audit/audit-log";

export const metadata: Metadata = { title: "Audit log" };

export default function AuditPage() {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Audit log</h1>
      <p className="text-sm text-slate-600 dark:text-slate-300">
        Every change and sign-in, newest first. Entries cannot be edited or deleted.
      </p>
      <AuditLog />
    </div>
  );
}
