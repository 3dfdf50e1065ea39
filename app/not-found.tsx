import Link from "next/link";
import { getTranslations } from "next-intl/server";

export default async function NotFound() {
  const t = await getTranslations("common.notFound");
  return (
    <div className="space-y-3">
      <h1 className="text-xl font-semibold">{t("title")}</h1>
      <Link href="/containers" className="text-sky-700 underline dark:text-sky-400">
        {t("back")}
      </Link>
    </div>
  );
}
