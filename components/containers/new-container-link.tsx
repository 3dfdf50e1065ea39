"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { useSession } from "@/components/auth/use-session";
import { buttonClass } from "@/components/ui/button";

export function NewContainerLink() {
  const { can } = useSession();
  const t = useTranslations("containers.list");
  if (!can("operator")) return null;
  return (
    <Link href="/containers/new" className={buttonClass("primary")}>
      {t("newContainer")}
    </Link>
  );
}
