"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { useFormat } from "@/components/i18n/use-format";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { ErrorAlert } from "@/components/ui/error-alert";
import { useWords } from "./use-words";

/**
 * A change waiting for confirmation: a countdown, "Keep this change" (the confirmation, sent over whatever path
 * now reaches Atelier) and "Roll back now". When this browser can no longer reach Atelier, it says when the change
 * will be undone by itself. Below: the recent changes with every command run, and the persisted files' state.
 */
const useNow = (every: number) => {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), every);
    return () => clearInterval(timer);
  }, [every]);
  return now;
};

/** A change's state as the catalogue's selects name it (an ICU select's option cannot hold a hyphen). */
const stateKey = (state: string) => (state === "rolled-back" ? "rolledBack" : state);

export function PendingChange({ canChange }: { canChange: boolean }) {
  const t = useTranslations("network.applies");
  const f = useFormat();
  const say = useWords();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const applies = useQuery({ ...trpc.network.applies.queryOptions(), refetchInterval: 2000, retry: false });
  const now = useNow(1000);
  const refresh = () => void queryClient.invalidateQueries(trpc.network.pathFilter());
  const confirm = useMutation(trpc.network.confirm.mutationOptions({ onSettled: refresh }));
  const rollback = useMutation(trpc.network.rollback.mutationOptions({ onSettled: refresh }));
  const [lastPending, setLastPending] = useState<{ id: string; rollbackAt: Date } | null>(null);

  const pending = applies.data?.find((entry) => entry.state === "pending" && entry.rollbackAt) ?? null;
  // Remembered while this browser cannot reach Atelier, to say when the change will be undone by itself.
  if (pending?.rollbackAt && lastPending?.id !== pending.id)
    setLastPending({ id: pending.id, rollbackAt: pending.rollbackAt });

  const lostContact = applies.isError || confirm.isError;
  if (!pending && !(lostContact && lastPending)) {
    const latest = applies.data?.[0];
    // Say once what became of the change this page was waiting for.
    if (lastPending && latest?.id === lastPending.id && latest.state !== "pending")
      return (
        <p
          role="status"
          className="rounded-md border border-slate-300 p-3 text-sm dark:border-slate-700"
          data-testid="change-outcome"
        >
          {t("outcome", {
            state: stateKey(latest.state),
            hasMessage: latest.message ? "yes" : "no",
            message: latest.message ? say(latest.message, latest.messageWords) : "",
          })}
        </p>
      );
    return null;
  }
  const deadline = (pending?.rollbackAt ?? lastPending?.rollbackAt ?? new Date()).getTime();
  const left = Math.max(0, Math.round((deadline - now) / 1000));
  return (
    <div
      role="alert"
      data-testid="pending-change"
      className="space-y-2 rounded-md border-2 border-amber-400 bg-amber-50 p-4 text-sm dark:border-amber-600 dark:bg-amber-950"
    >
      {lostContact ? (
        <p>
          {t.rich("lostContact", {
            b: (chunks) => <strong>{chunks}</strong>,
            time: f.time(deadline),
            seconds: left,
          })}
        </p>
      ) : (
        <p>
          {t.rich("waiting", {
            b: (chunks) => <strong>{chunks}</strong>,
            seconds: left,
            counter: (chunks) => <span data-testid="rollback-seconds">{chunks}</span>,
          })}
        </p>
      )}
      {canChange && pending && (
        <div className="flex gap-2">
          <Button
            variant="primary"
            isPending={confirm.isPending}
            onClick={() => confirm.mutate({ applyId: pending.id })}
          >
            {t("keep")}
          </Button>
          <Button isPending={rollback.isPending} onClick={() => rollback.mutate({ applyId: pending.id })}>
            {t("rollBack")}
          </Button>
        </div>
      )}
      {rollback.isError && <ErrorAlert error={rollback.error} title={t("rollbackError")} />}
    </div>
  );
}

export function RecentChanges() {
  const t = useTranslations("network.applies");
  const f = useFormat();
  const say = useWords();
  const trpc = useTRPC();
  const applies = useQuery({ ...trpc.network.applies.queryOptions(), refetchInterval: 5000 });
  if (applies.isPending) return null;
  if (applies.isError) return <ErrorAlert error={applies.error} title={t("recent.readError")} />;
  return (
    <section aria-labelledby="recent-heading" className="space-y-2">
      <h2 id="recent-heading" className="text-lg font-semibold">
        {t("recent.heading")}
      </h2>
      {applies.data.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">{t("recent.empty")}</p>
      ) : (
        <DataTable
          caption={t("recent.caption")}
          columns={[
            t("recent.columns.when"),
            t("recent.columns.who"),
            t("recent.columns.outcome"),
            t("recent.columns.commands"),
          ]}
        >
          {applies.data.map((entry) => (
            <tr key={entry.id} data-apply={entry.state}>
              <th scope="row" className="font-normal">
                {f.dateTimeSeconds(entry.createdAt)}
              </th>
              <td>{entry.actor}</td>
              <td>
                {t("state", { state: stateKey(entry.state) })}
                {entry.message && (
                  <span className="block text-xs text-slate-600 dark:text-slate-400">
                    {say(entry.message, entry.messageWords)}
                  </span>
                )}
              </td>
              <td>
                <details>
                  <summary className="cursor-pointer">
                    {t("recent.commandsRun", { count: entry.log.length })}
                  </summary>
                  <ol className="list-decimal pl-5 font-mono text-xs">
                    {entry.log.map((line, index) => (
                      <li key={index}>
                        {t("recent.logLine", {
                          undo: line.undo ? "yes" : "no",
                          command: line.argv.join(" "),
                          ok: line.ok ? "yes" : "no",
                          output: line.output,
                        })}
                      </li>
                    ))}
                  </ol>
                </details>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

export function Persistence() {
  const t = useTranslations("network.applies.persistence");
  const say = useWords();
  const trpc = useTRPC();
  const persisted = useQuery({ ...trpc.network.persisted.queryOptions(), refetchInterval: 10_000 });
  if (persisted.isPending) return null;
  if (persisted.isError) return <ErrorAlert error={persisted.error} title={t("readError")} />;
  const { system, reason, reasonWords, warnings, warningWords, managed, files, inSync, isPending } =
    persisted.data;
  return (
    <section aria-labelledby="persist-heading" className="space-y-2">
      <h2 id="persist-heading" className="text-lg font-semibold">
        {t("heading")}
      </h2>
      <p className="text-sm">
        {say(reason, reasonWords)}{" "}
        {system !== "none" &&
          (managed.length === 0 ? t("managesNone") : t("manages", { bridges: managed.join(", ") }))}
      </p>
      {system !== "none" && managed.length > 0 && (
        <p
          data-testid="persist-sync"
          className={`text-sm font-medium ${inSync ? "text-emerald-700 dark:text-emerald-300" : "text-amber-700 dark:text-amber-300"}`}
        >
          {inSync ? t("inSync") : isPending ? t("pending") : t("outOfSync")}
        </p>
      )}
      {warnings.map((warning, index) => (
        <p key={warning} className="text-sm text-amber-800 dark:text-amber-200">
          {say(warning, warningWords?.[index])}
        </p>
      ))}
      {files.map((file) => (
        <details key={file.path}>
          <summary className="cursor-pointer text-sm">
            {t.rich("file", {
              path: file.path,
              mono: (chunks) => <span className="font-mono">{chunks}</span>,
            })}
          </summary>
          <pre
            className="overflow-x-auto rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-800"
            data-testid="persisted-file"
          >
            {file.content}
          </pre>
        </details>
      ))}
    </section>
  );
}
