"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { EventRow } from "./event-row";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { Pager } from "@/components/ui/pager";
import { SelectField } from "@/components/ui/select-field";
import { TextField } from "@/components/ui/text-field";
import { useFilterForm } from "@/components/ui/use-filter-form";
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
  const t = useTranslations("events");
  const { draft, filters, pager, set, onSubmit } = useFilterForm<TFilters>(EMPTY, {
    type: TYPES,
    from: "date",
    to: "date",
  });
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
        aria-label={t("filters.label")}
        className="grid grid-cols-2 gap-3 md:grid-cols-3 lg:grid-cols-6 lg:items-end"
      >
        <TextField label={t("filters.container")} value={draft.container} onChange={set("container")} />
        <SelectField
          label={t("filters.type")}
          value={draft.type}
          onChange={set("type")}
          options={[
            { value: "", label: t("filters.any") },
            ...TYPES.map((type) => ({ value: type, label: t(`types.${type}`) })),
          ]}
        />
        <TextField label={t("filters.actor")} value={draft.actor} onChange={set("actor")} />
        <TextField
          label={t("filters.from")}
          type="datetime-local"
          value={draft.from}
          onChange={set("from")}
        />
        <TextField label={t("filters.to")} type="datetime-local" value={draft.to} onChange={set("to")} />
        <Button type="submit" variant="primary">
          {t("filters.submit")}
        </Button>
      </form>
      {events.isError && <ErrorAlert error={events.error} title={t("list.readError")} />}
      <ol
        aria-label={t("list.label")}
        className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900"
      >
        {(events.data?.events ?? []).map((event) => (
          <EventRow key={event.id} event={event} />
        ))}
        {events.data?.events.length === 0 && (
          <li className="px-4 py-6 text-center text-slate-500">{t("list.empty")}</li>
        )}
      </ol>
      <Pager pager={pager} nextBefore={events.data?.nextBefore} />
    </div>
  );
}
