"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useSession } from "@/components/auth/use-session";
import { formatBytes } from "@/components/lib/format";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DataTable } from "@/components/ui/data-table";
import { ErrorAlert } from "@/components/ui/error-alert";
import { JobProgress, ProgressBar } from "./job-progress";

/** Every job, newest first, with a drawer for the one chosen (live log, progress, cancel); LXC's template cache. */
export function JobsPage({ initialId }: { initialId: string | null }) {
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
          aria-label="Job details"
          className="rounded-lg border border-slate-300 p-4 dark:border-slate-700"
        >
          <div className="mb-2 flex justify-end">
            <Button size="sm" variant="ghost" onClick={() => setChosen(null)}>
              Close
            </Button>
          </div>
          <JobProgress key={chosen} id={chosen} canCancel={session.can("operator")} />
        </aside>
      )}
      {jobs.isError && <ErrorAlert error={jobs.error} title="The jobs could not be read" />}
      {jobs.data && (
        <DataTable
          caption="Jobs, newest first"
          columns={["Job", "Container", "Who", "Started", "Progress", "State"]}
        >
          {jobs.data.map((job) => (
            <tr key={job.id} data-job={job.id}>
              <th scope="row" className="font-medium">
                <button
                  type="button"
                  className="text-sky-700 hover:underline dark:text-sky-400"
                  onClick={() => setChosen(job.id)}
                >
                  {job.kind}
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
              <td>{job.createdAt.toLocaleString()}</td>
              <td className="w-40">
                <ProgressBar
                  value={job.state === "succeeded" ? 100 : job.progress}
                  label={`Progress of ${job.kind} ${job.target}`}
                />
              </td>
              <td>
                {job.state}
                {job.state === "running" && job.phase ? `: ${job.phase}` : ""}
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
        Template cache
      </h2>
      <p className="text-sm text-slate-600 dark:text-slate-300">
        Debian root filesystems that LXC&apos;s debian template downloaded once (in {cache.data.dir}) and
        copies for every new Debian container. Clearing one makes the next creation download it again.
      </p>
      {cache.data.entries.length === 0 ? (
        <p className="text-sm">Empty.</p>
      ) : (
        <DataTable caption="Template cache entries" columns={["Entry", "Size", ""]}>
          {cache.data.entries.map((entry) => (
            <tr key={entry.name}>
              <th scope="row" className="font-mono text-xs font-medium">
                {entry.name}
                {entry.isPartial && " (an interrupted download)"}
              </th>
              <td>{formatBytes(entry.bytes)}</td>
              <td>
                {canClear && (
                  <Button size="sm" variant="ghost" onClick={() => setClearing(entry.name)}>
                    Clear {entry.name}
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {clear.isError && <ErrorAlert error={clear.error} title="The cache entry was not cleared" />}
      <ConfirmDialog
        open={clearing !== null}
        title="Clear this cache entry?"
        confirmLabel="Clear it"
        onCancel={() => setClearing(null)}
        onConfirm={() => {
          if (clearing) clear.mutate({ entry: clearing });
          setClearing(null);
        }}
      >
        <p>{clearing} is deleted; the next Debian container of that release is downloaded again (minutes).</p>
      </ConfirmDialog>
    </section>
  );
}
