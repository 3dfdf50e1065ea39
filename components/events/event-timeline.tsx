"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { Pager } from "@/components/ui/pager";
import { SelectField } from "@/components/ui/select-field";
import { TextField } from "@/components/ui/text-field";
import { useFilterForm } from "@/components/ui/use-filter-form";
import { eventSentence } from "@/components/lib/event-sentence";
import { optional, optionalDate } from "@/components/lib/filters";
import type { TListEventsRequest } from "@/server/trpc/routers/events/events.types";

const TYPES = ["state", "exit", "operation", "resync", "monitor", "oom", "network", "job"] as const;
type TFilters = {
  container: string;
  type: "" | (typeof TYPES)[number];
  actor: string;
  from: string;
  to: string;
};
const EMPTY: TFilters = { container: "", type: "", actor: "", from: "", to: "" };

export function EventTimeline() {
  const trpc = useTRPC();
  const { draft, filters, pager, set, onSubmit } = useFilterForm<TFilters>(EMPTY);
  const request: TListEventsRequest = {
    container: optional(filters.container),
    type: optional(filters.type),
    actor: optional(filters.actor),
    from: optionalDate(filters.from),
    to: optionalDate(filters.to),
    before: pager.before,
    limit: 50,
  };
  const events = useQuery(trpc.events.list.queryOptions(request));

  return (
    <div className="space-y-4">
      <form
        onSubmit={onSubmit}
        aria-label="Filter events"
        className="grid grid-cols-2 gap-3 md:grid-cols-3 lg:grid-cols-6 lg:items-end"
      >
        <TextField label="Container" value={draft.container} onChange={set("container")} />
        <SelectField
          label="Type"
          value={draft.type}
          onChange={set("type")}
          options={[{ value: "", label: "any" }, ...TYPES]}
        />
        <TextField label="Actor" value={draft.actor} onChange={set("actor")} />
        <TextField label="From" type="datetime-local" value={draft.from} onChange={set("from")} />
        <TextField label="To" type="datetime-local" value={draft.to} onChange={set("to")} />
        <Button type="submit" variant="primary">
          Filter
        </Button>
      </form>
      {events.isError && <ErrorAlert error={events.error} title="The events could not be read" />}
      <ol
        aria-label="Events, newest first"
        className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900"
      >
        {(events.data?.events ?? []).map((event) => {
          const sentence = eventSentence(event);
          return (
            <li
              key={event.id}
              data-event-type={event.type}
              className="flex flex-wrap gap-x-3 px-4 py-2 text-sm"
            >
              <time dateTime={event.at.toISOString()} className="text-slate-500 dark:text-slate-400">
                {event.at.toLocaleString()}
              </time>
              <span>{sentence.text}</span>
              {sentence.by && <span className="text-slate-500 dark:text-slate-400">by {sentence.by}</span>}
              {sentence.links.map((link) => (
                <Link
                  key={link.href}
                  href={link.href}
                  className="text-sky-700 hover:underline dark:text-sky-400"
                >
                  {link.label}
                </Link>
              ))}
            </li>
          );
        })}
        {events.data?.events.length === 0 && (
          <li className="px-4 py-6 text-center text-slate-500">No events match.</li>
        )}
      </ol>
      <Pager pager={pager} nextBefore={events.data?.nextBefore} />
    </div>
  );
}
