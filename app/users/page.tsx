import type { Metadata } from "next";
import { TokensPanel } from "@/components/account/tokens-panel";
import { UsersAdmin } from "@/components/users/users-admin";

export const metadata: Metadata = { title: "Users" };

export default function UsersPage() {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Users</h1>
      <UsersAdmin />
      <section aria-labelledby="all-tokens" className="space-y-3">
        <h2 id="all-tokens" className="text-lg font-semibold">
          Everyone&apos;s API tokens
        </h2>
        <TokensPanel isAllUsers />
      </section>
    </div>
  );
}
