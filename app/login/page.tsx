import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Suspense } from "react";
import { SignInForm } from "@/components/auth/sign-in-form";

export const generateMetadata = async (): Promise<Metadata> => ({
  title: (await getTranslations("auth.signIn"))("title"),
});

export default async function LoginPage() {
  const t = await getTranslations("auth.signIn");
  return (
    <div className="mx-auto max-w-sm space-y-4">
      <h1 className="text-2xl font-semibold">{t("heading")}</h1>
      <Suspense>
        <SignInForm />
      </Suspense>
    </div>
  );
}
