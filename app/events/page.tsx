import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { EventTimeline } from "@/components/events/event-timeline";

export const generateMetadata = async (): Promise<Metadata> => ({
  title: (await getTranslations("events"))("title"),
});

export default async function EventsPage() {
  const t = await getTranslations("events");
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">{t("heading")}</h1>
      <p className="text-sm text-slate-600 dark:text-slate-300">{t("intro")}</p>
      <EventTimeline />
    </div>
  );
}
