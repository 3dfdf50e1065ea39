import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { TokensPanel } from "@/components/account/tokens-panel";
import { UsersAdmin } from "@/components/users/users-admin";

export const generateMetadata = async (): Promise<Metadata> => ({
  title: (await getTranslations("users"))("title"),
});

export default async function UsersPage() {
  const t = await getTranslations("users");
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">{t("heading")}</h1>
      <UsersAdmin />
      <section aria-labelledby="all-tokens" className="space-y-3">
        <h2 id="all-tokens" className="text-lg font-semibold">
          {t("allTokens")}
        </h2>
        <TokensPanel isAllUsers />
      </section>
    </div>
  );
}
