"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useFormat } from "@/components/i18n/use-format";
import { useEventSentence } from "@/components/lib/event-sentence";
import { useTRPC } from "@/components/trpc";

const RECENT = 5;

/** The container's last few events as sentences (kept fresh by the live stream), and the way to all of them. */
export function RecentEvents({ name }: { name: string }) {
  const t = useTranslations("containers.recent");
  const f = useFormat();
  const say = useEventSentence();
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
        {(events.data?.events ?? []).map((event) => {
          const sentence = say(event);
          return (
            <li
              key={event.id}
              data-event-type={event.type}
              className="flex flex-wrap gap-x-3 px-4 py-2 text-sm"
            >
              <time dateTime={event.at.toISOString()} className="text-slate-500 dark:text-slate-400">
                {f.dateTime(event.at)}
              </time>
              <span>{sentence.text}</span>
              {sentence.by && (
                <span className="text-slate-500 dark:text-slate-400">{t("by", { actor: sentence.by })}</span>
              )}
            </li>
          );
        })}
        {events.data?.events.length === 0 && (
          <li className="px-4 py-3 text-sm text-slate-500 dark:text-slate-400">{t("none")}</li>
        )}
      </ol>
    </section>
  );
}
