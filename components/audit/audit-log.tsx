"use client";

import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Button, Spinner } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { Pager, usePager } from "@/components/ui/pager";
import { SelectField } from "@/components/ui/select-field";
import { ErrorAlert } from "@/components/ui/error-alert";
import { TextField } from "@/components/ui/text-field";
import { type TListAuditRequest } from "@/server/trpc/routers/audit/audit.types";

type TFilters = {
  actor: string;
  action: string;
  target: string;
  result: "" | "ok" | "error";
  from: string;
  to: string;
};
const EMPTY: TFilters = { actor: "", action: "", target: "", result: "", from: "", to: "" };

const toRequest = (filters: TFilters, before: number | undefined): TListAuditRequest => ({
  actor: filters.actor || undefined,
  action: filters.action || undefined,
  target: filters.target || undefined,
  result: filters.result || undefined,
  from: filters.from ? new Date(filters.from) : undefined,
  to: filters.to ? new Date(filters.to) : undefined,
  before,
  limit: 50,
});

export function AuditLog() {
  const trpc = useTRPC();
  const [draft, setDraft] = useState<TFilters>(EMPTY);
  const [filters, setFilters] = useState<TFilters>(EMPTY);
  const pager = usePager();
  const audit = useQuery(trpc.audit.list.queryOptions(toRequest(filters, pager.before)));
  const set = (key: keyof TFilters) => (event: { target: { value: string } }) =>
    setDraft({ ...draft, [key]: event.target.value });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
    pager.reset();
  };

  return (
    <div className="space-y-4">
      <form
        onSubmit={onSubmit}
        aria-label="Filter the audit log"
        className="grid grid-cols-2 gap-3 md:grid-cols-4 lg:grid-cols-7 lg:items-end"
      >
        <TextField label="Actor" value={draft.actor} onChange={set("actor")} />
        <TextField label="Action" value={draft.action} onChange={set("action")} placeholder="containers." />
        <TextField label="Target" value={draft.target} onChange={set("target")} />
        <SelectField
          label="Result"
          value={draft.result}
          onChange={set("result")}
          options={[{ value: "", label: "any" }, "ok", "error"]}
        />
        <TextField label="From" type="datetime-local" value={draft.from} onChange={set("from")} />
        <TextField label="To" type="datetime-local" value={draft.to} onChange={set("to")} />
        <Button type="submit" variant="primary">
          Filter
        </Button>
      </form>
      {audit.isError && <ErrorAlert error={audit.error} title="The audit log could not be read" />}
      {audit.isPending && (
        <p role="status" className="flex items-center gap-2">
          <Spinner /> Loading…
        </p>
      )}
      <DataTable
        caption="Audit log entries, newest first"
        columns={["Time", "Actor", "Action", "Target", "Result", "Details", "From"]}
      >
        {(audit.data?.entries ?? []).map((entry) => (
          <tr
            key={entry.id}
            className="border-b border-slate-100 align-top last:border-0 dark:border-slate-800"
          >
            <td className="whitespace-nowrap px-3 py-1.5">{entry.at.toLocaleString()}</td>
            <td className="px-3 py-1.5">
              {entry.actor}
              {entry.via ? <span className="text-slate-500 dark:text-slate-400"> ({entry.via})</span> : null}
            </td>
            <td className="px-3 py-1.5 font-mono text-xs">{entry.action}</td>
            <td className="px-3 py-1.5">{entry.target ?? "–"}</td>
            <td className="px-3 py-1.5">
              {entry.result === "ok" ? (
                "ok"
              ) : (
                <span className="font-medium text-red-700 dark:text-red-300">error</span>
              )}
            </td>
            <td className="max-w-md break-words px-3 py-1.5 font-mono text-xs">
              {entry.error ?? entry.input ?? ""}
            </td>
            <td className="px-3 py-1.5 font-mono text-xs">{entry.clientAddress ?? "–"}</td>
          </tr>
        ))}
      </DataTable>
      <Pager pager={pager} nextBefore={audit.data?.nextBefore} />
    </div>
  );
}
