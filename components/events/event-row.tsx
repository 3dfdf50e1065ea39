"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { useFormat } from "@/components/i18n/use-format";
import { useEventSentence, type TEventLike } from "@/components/lib/event-sentence";

type TEventRowProps = {
  event: TEventLike & { id: number; at: Date; type: string };
  /** A link the row leaves out (a container's own page, on that page). */
  skipHref?: string;
};

/** One event as a line of a list: when, the sentence, who did it when the sentence does not say, its links. */
export function EventRow({ event, skipHref }: TEventRowProps) {
  const t = useTranslations("events");
  const f = useFormat();
  const sentence = useEventSentence()(event);
  return (
    <li data-event-type={event.type} className="flex flex-wrap gap-x-3 px-4 py-2 text-sm">
      <time dateTime={event.at.toISOString()} className="text-slate-500 dark:text-slate-400">
        {f.dateTimeSeconds(event.at)}
      </time>
      <span>{sentence.text}</span>
      {sentence.by && (
        <span className="text-slate-500 dark:text-slate-400">{t("list.by", { actor: sentence.by })}</span>
      )}
      {sentence.links
        .filter((link) => link.href !== skipHref)
        .map((link) => (
          <Link key={link.href} href={link.href} className="text-sky-700 underline dark:text-sky-400">
            {link.label}
          </Link>
        ))}
    </li>
  );
}
