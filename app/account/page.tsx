import type { Metadata } from "next";
import { ChangePasswordForm } from "@/components/account/change-password-form";
import { SessionsTable } from "@/components/account/sessions-table";
import { TokensPanel } from "@/components/account/tokens-panel";

export const metadata: Metadata = { title: "Account" };

const section =
  "space-y-3 rounded-lg border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900";

export default function AccountPage() {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Your account</h1>
      <section aria-labelledby="password-heading" className={section}>
        <h2 id="password-heading" className="text-lg font-semibold">
          Password
        </h2>
        <ChangePasswordForm />
      </section>
      <section aria-labelledby="sessions-heading" className={section}>
        <h2 id="sessions-heading" className="text-lg font-semibold">
          Sessions
        </h2>
        <SessionsTable />
      </section>
      <section aria-labelledby="tokens-heading" className={section}>
        <h2 id="tokens-heading" className="text-lg font-semibold">
          API tokens
        </h2>
        <TokensPanel />
      </section>
    </div>
  );
}
