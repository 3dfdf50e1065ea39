"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useSession } from "@/components/auth/use-session";
import { useFormat } from "@/components/i18n/use-format";
import { usePhaseText } from "@/components/lib/phase-text";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DataTable } from "@/components/ui/data-table";
import { ErrorAlert } from "@/components/ui/error-alert";
import { JobProgress, ProgressBar, useJobWords } from "./job-progress";

/** Every job, newest first, with a drawer for the one chosen (live log, progress, cancel); LXC's template cache. */
export function JobsPage({ initialId }: { initialId: string | null }) {
  const t = useTranslations("jobs");
  const common = useTranslations("common");
  const words = useJobWords();
  const phaseText = usePhaseText();
  const f = useFormat();
  const trpc = useTRPC();
  const session = useSession();
  const jobs = useQuery({
    ...trpc.jobs.list.queryOptions(),
    refetchInterval: (query) => (query.state.data?.some((job) => job.state === "running") ? 1000 : 5000),
  });
  const [chosen, setChosen] = useState<string | null>(initialId);
  return (
    <div className="space-y-6">
      {chosen && (
        <aside
          aria-label={t("details")}
          className="rounded-lg border border-slate-300 p-4 dark:border-slate-700"
        >
          <div className="mb-2 flex justify-end">
            <Button size="sm" variant="ghost" onClick={() => setChosen(null)}>
              {common("close")}
            </Button>
          </div>
          <JobProgress key={chosen} id={chosen} canCancel={session.can("operator")} />
        </aside>
      )}
      {jobs.isError && <ErrorAlert error={jobs.error} title={t("listError")} />}
      {jobs.data && (
        <DataTable
          caption={t("caption")}
          columns={[
            t("columns.job"),
            t("columns.container"),
            t("columns.who"),
            t("columns.started"),
            t("columns.progress"),
            t("columns.state"),
          ]}
        >
          {jobs.data.map((job) => (
            <tr key={job.id} data-job={job.id}>
              <th scope="row" className="font-medium">
                <button
                  type="button"
                  className="text-sky-700 hover:underline dark:text-sky-400"
                  onClick={() => setChosen(job.id)}
                >
                  {words.kind(job.kind)}
                </button>
              </th>
              <td>
                {job.state === "succeeded" || job.state === "running" ? (
                  <Link href={`/containers/${encodeURIComponent(job.target)}`} className="hover:underline">
                    {job.target}
                  </Link>
                ) : (
                  job.target
                )}
              </td>
              <td>{job.owner}</td>
              <td>{f.dateTimeSeconds(job.createdAt)}</td>
              <td className="w-40">
                <ProgressBar
                  value={job.state === "succeeded" ? 100 : job.progress}
                  label={t("progress.label", { subject: words.subject(job.kind, job.target) })}
                />
              </td>
              <td>
                {job.state === "running" && job.phase
                  ? t("withPhase", { state: words.stateCell(job.state), phase: phaseText(job.phase) })
                  : words.stateCell(job.state)}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <TemplateCache canClear={session.can("admin")} />
    </div>
  );
}

function TemplateCache({ canClear }: { canClear: boolean }) {
  const t = useTranslations("jobs.cache");
  const f = useFormat();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const cache = useQuery(trpc.provision.cache.queryOptions());
  const [clearing, setClearing] = useState<string | null>(null);
  const clear = useMutation(
    trpc.provision.clearCache.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries(trpc.provision.pathFilter()),
    }),
  );
  if (!cache.data) return null;
  return (
    <section aria-labelledby="cache-heading" className="space-y-2">
      <h2 id="cache-heading" className="text-lg font-semibold">
        {t("heading")}
      </h2>
      <p className="text-sm text-slate-600 dark:text-slate-300">{t("intro", { dir: cache.data.dir })}</p>
      {cache.data.entries.length === 0 ? (
        <p className="text-sm">{t("empty")}</p>
      ) : (
        <DataTable caption={t("caption")} columns={[t("columns.entry"), t("columns.size"), ""]}>
          {cache.data.entries.map((entry) => (
            <tr key={entry.name}>
              <th scope="row" className="font-mono text-xs font-medium">
                {entry.isPartial ? t("partial", { name: entry.name }) : entry.name}
              </th>
              <td>{f.bytes(entry.bytes)}</td>
              <td>
                {canClear && (
                  <Button size="sm" variant="ghost" onClick={() => setClearing(entry.name)}>
                    {t("clear", { name: entry.name })}
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {clear.isError && <ErrorAlert error={clear.error} title={t("clearError")} />}
      <ConfirmDialog
        open={clearing !== null}
        title={t("clearTitle")}
        confirmLabel={t("clearConfirm")}
        onCancel={() => setClearing(null)}
        onConfirm={() => {
          if (clearing) clear.mutate({ entry: clearing });
          setClearing(null);
        }}
      >
        <p>{t("clearBody", { name: clearing ?? "" })}</p>
      </ConfirmDialog>
    </section>
  );
}
