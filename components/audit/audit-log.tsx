"use client";

import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Button, Spinner } from "@/components/ui/button";
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
  const [pages, setPages] = useState<(number | undefined)[]>([undefined]);
  const before = pages.at(-1);
  const audit = useQuery(trpc.audit.list.queryOptions(toRequest(filters, before)));
  const set = (key: keyof TFilters) => (event: { target: { value: string } }) =>
    setDraft({ ...draft, [key]: event.target.value });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
    setPages([undefined]);
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
        <div className="space-y-1">
          <label htmlFor="audit-result" className="block text-sm font-medium">
            Result
          </label>
          <select
            id="audit-result"
            value={draft.result}
            onChange={set("result")}
            className="w-full rounded-md border border-slate-300 bg-white px-2 py-2 text-sm dark:border-slate-600 dark:bg-slate-800"
          >
            <option value="">any</option>
            <option value="ok">ok</option>
            <option value="error">error</option>
          </select>
        </div>
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
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Audit log entries, newest first</caption>
          <thead className="border-b border-slate-200 text-xs uppercase text-slate-500 dark:border-slate-800 dark:text-slate-400">
            <tr>
              {["Time", "Actor", "Action", "Target", "Result", "Details", "From"].map((heading) => (
                <th key={heading} scope="col" className="px-3 py-2">
                  {heading}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {(audit.data?.entries ?? []).map((entry) => (
              <tr
                key={entry.id}
                className="border-b border-slate-100 align-top last:border-0 dark:border-slate-800"
              >
                <td className="whitespace-nowrap px-3 py-1.5">{entry.at.toLocaleString()}</td>
                <td className="px-3 py-1.5">
                  {entry.actor}
                  {entry.via ? (
                    <span className="text-slate-500 dark:text-slate-400"> ({entry.via})</span>
                  ) : null}
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
          </tbody>
        </table>
      </div>
      <div className="flex gap-2">
        <Button disabled={pages.length <= 1} onClick={() => setPages(pages.slice(0, -1))}>
          Newer
        </Button>
        <Button
          disabled={!audit.data?.nextBefore}
          onClick={() => audit.data?.nextBefore && setPages([...pages, audit.data.nextBefore])}
        >
          Older
        </Button>
      </div>
    </div>
  );
}
