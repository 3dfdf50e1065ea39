"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useFormat } from "@/components/i18n/use-format";
import { useValidationWords } from "@/components/i18n/use-validation-words";
import { useTRPC } from "@/components/trpc";
import { Button, Spinner } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { Pager } from "@/components/ui/pager";
import { SelectField } from "@/components/ui/select-field";
import { ErrorAlert } from "@/components/ui/error-alert";
import { TextField } from "@/components/ui/text-field";
import { useFilterForm } from "@/components/ui/use-filter-form";
import { optional, optionalDate } from "@/components/lib/filters";
import type { TListAuditRequest } from "@/server/trpc/routers/audit/audit.types";

type TFilters = {
  actor: string;
  action: string;
  target: string;
  result: "" | "ok" | "error";
  from: string;
  to: string;
};
// Actions are named by their room and verb ("containers.start"): the placeholder shows the form to search by.
const ACTION_PREFIX = "containers.";
const EMPTY: TFilters = { actor: "", action: "", target: "", result: "", from: "", to: "" };

const toRequest = (filters: TFilters, before: number | undefined): TListAuditRequest => ({
  actor: optional(filters.actor),
  action: optional(filters.action),
  target: optional(filters.target),
  result: optional(filters.result),
  from: optionalDate(filters.from),
  to: optionalDate(filters.to),
  before,
  limit: 50,
});

export function AuditLog() {
  const trpc = useTRPC();
  const t = useTranslations("audit");
  const validation = useValidationWords();
  const f = useFormat();
  /**
   * An entry's error in the page's language when it kept its sentence (`CODE: field: sentence`), else as recorded
   * (a sentence the catalogue does not have keeps the English).
   */
  const errorText = (
    english: string,
    words: { id: string; params: Record<string, unknown>; field?: string | undefined } | null,
  ) => {
    const sentence = words ? validation.words({ id: words.id, params: words.params }, "") : "";
    if (!words || sentence === "") return english;
    const code = /^([A-Z_]+): /.exec(english)?.[1];
    return `${code ? `${code}: ` : ""}${words.field ? `${words.field}: ` : ""}${sentence}`;
  };
  const { draft, filters, pager, set, onSubmit } = useFilterForm<TFilters>(EMPTY, {
    result: ["ok", "error"],
    from: "date",
    to: "date",
  });
  const audit = useQuery(trpc.audit.list.queryOptions(toRequest(filters, pager.before)));

  return (
    <div className="space-y-4">
      <form
        onSubmit={onSubmit}
        aria-label={t("filters.label")}
        className="grid grid-cols-2 gap-3 md:grid-cols-4 lg:grid-cols-7 lg:items-end"
      >
        <TextField label={t("filters.actor")} value={draft.actor} onChange={set("actor")} />
        <TextField
          label={t("filters.action")}
          value={draft.action}
          onChange={set("action")}
          placeholder={ACTION_PREFIX}
        />
        <TextField label={t("filters.target")} value={draft.target} onChange={set("target")} />
        <SelectField
          label={t("filters.result")}
          value={draft.result}
          onChange={set("result")}
          options={[
            { value: "", label: t("filters.any") },
            { value: "ok", label: t("results.ok") },
            { value: "error", label: t("results.error") },
          ]}
        />
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
      {audit.isError && <ErrorAlert error={audit.error} title={t("readError")} />}
      {audit.isPending && (
        <p role="status" className="flex items-center gap-2">
          <Spinner /> {t("loading")}
        </p>
      )}
      <DataTable
        caption={t("table.caption")}
        columns={[
          t("table.time"),
          t("table.actor"),
          t("table.action"),
          t("table.target"),
          t("table.result"),
          t("table.details"),
          t("table.from"),
        ]}
      >
        {(audit.data?.entries ?? []).map((entry) => (
          <tr
            key={entry.id}
            className="border-b border-slate-100 align-top last:border-0 dark:border-slate-800"
          >
            <td className="whitespace-nowrap px-3 py-1.5">{f.dateTimeSeconds(entry.at)}</td>
            <td className="px-3 py-1.5">
              {entry.actor}
              {entry.via ? <span className="text-slate-500 dark:text-slate-400"> ({entry.via})</span> : null}
            </td>
            <td className="px-3 py-1.5 font-mono text-xs">{entry.action}</td>
            <td className="px-3 py-1.5">{entry.target ?? "–"}</td>
            <td className="px-3 py-1.5">
              {entry.result === "ok" ? (
                t("results.ok")
              ) : (
                <span className="font-medium text-red-700 dark:text-red-300">{t("results.error")}</span>
              )}
            </td>
            <td className="max-w-md break-words px-3 py-1.5 font-mono text-xs">
              {entry.error !== null ? (
                errorText(entry.error, entry.errorWords)
              ) : (
                // What was sent, as it was sent: data, not words to translate.
                <span translate="no">{entry.input ?? ""}</span>
              )}
            </td>
            <td className="px-3 py-1.5 font-mono text-xs">{entry.clientAddress ?? "–"}</td>
          </tr>
        ))}
      </DataTable>
      <Pager pager={pager} nextBefore={audit.data?.nextBefore} />
    </div>
  );
}
