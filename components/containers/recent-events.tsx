"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { EventRow } from "@/components/events/event-row";
import { useTRPC } from "@/components/trpc";

const RECENT = 5;

/** The container's last few events as sentences (kept fresh by the live stream), and the way to all of them. */
export function RecentEvents({ name }: { name: string }) {
  const t = useTranslations("containers.recent");
  const trpc = useTRPC();
  const events = useQuery(trpc.events.list.queryOptions({ container: name, limit: RECENT }));
  return (
    <section aria-labelledby="recent-heading" className="space-y-2">
      <div className="flex items-baseline justify-between gap-4">
        <h3 id="recent-heading" className="text-base font-semibold">
          {t("heading")}
        </h3>
        <Link
          href={`/events?container=${encodeURIComponent(name)}`}
          className="text-sm text-sky-700 hover:underline dark:text-sky-400"
        >
          {t("all")}
        </Link>
      </div>
      <ol className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900">
        {(events.data?.events ?? []).map((event) => (
          <EventRow key={event.id} event={event} skipHref={`/containers/${encodeURIComponent(name)}`} />
        ))}
        {events.data?.events.length === 0 && (
          <li className="px-4 py-3 text-sm text-slate-500 dark:text-slate-400">{t("none")}</li>
        )}
      </ol>
    </section>
  );
}
