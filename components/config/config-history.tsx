"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ErrorAlert } from "@/components/ui/error-alert";
import type { TValidateConfigResponse } from "@/server/trpc/routers/config/config.types";
import { historyReason } from "./config-editor-draft";
import { DiffView } from "@/components/ui/diff-view";

/**
 * A config's versions, newest first. An operator restores one after seeing what restoring changes (the server's
 * diff against the current file); the restore is refused if the file changed since the page read it.
 */
export function ConfigHistory({
  name,
  baseVersion,
  isRunning,
  canRestore,
  onRestored,
}: {
  name: string;
  baseVersion: string;
  isRunning: boolean;
  canRestore: boolean;
  onRestored: (data: TValidateConfigResponse) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const history = useQuery(trpc.config.history.queryOptions({ name }));
  const [chosen, setChosen] = useState<number | null>(null);
  const preview = useQuery({
    ...trpc.config.version.queryOptions({ name, id: chosen ?? 1 }),
    enabled: chosen !== null,
  });
  const diff = useQuery({
    ...trpc.config.validate.queryOptions({ name, raw: preview.data?.content ?? "" }),
    enabled: chosen !== null && preview.data !== undefined && canRestore,
  });
  const restore = useMutation(
    trpc.config.restore.mutationOptions({
      onSuccess: (data) => {
        setChosen(null);
        void queryClient.invalidateQueries(trpc.config.pathFilter());
        onRestored(data);
      },
    }),
  );
  if (history.isPending) return <p role="status">Loading the history…</p>;
  if (history.isError) return <ErrorAlert error={history.error} title="The history could not be read" />;
  if (history.data.length === 0)
    return <p className="text-sm text-slate-600 dark:text-slate-300">No change has been made here yet.</p>;
  return (
    <div className="space-y-3">
      <ol
        aria-label="Versions, newest first"
        className="divide-y divide-slate-100 rounded-lg border border-slate-200 dark:divide-slate-800 dark:border-slate-800"
      >
        {history.data.map((row) => (
          <li key={row.id} className="flex flex-wrap items-center justify-between gap-2 px-3 py-2 text-sm">
            <span>
              <time dateTime={row.at.toISOString()}>{row.at.toLocaleString()}</time> · {row.author} ·{" "}
              {historyReason(row.reason)} · {row.lines} lines
              {row.isCurrent && (
                <span className="ml-2 rounded bg-sky-100 px-1.5 text-xs text-sky-900 dark:bg-sky-900 dark:text-sky-100">
                  current
                </span>
              )}
            </span>
            {canRestore && !row.isCurrent && (
              <Button size="sm" onClick={() => setChosen(row.id)}>
                Restore this version…
              </Button>
            )}
          </li>
        ))}
      </ol>
      {restore.isError && <ErrorAlert error={restore.error} title="The version was not restored" />}
      <ConfirmDialog
        open={chosen !== null}
        title="Restore this version?"
        confirmLabel="Restore"
        onCancel={() => setChosen(null)}
        onConfirm={() =>
          chosen !== null && restore.mutate({ name, id: chosen, baseVersion, applyLive: isRunning })
        }
      >
        {diff.data ? (
          <DiffView diff={diff.data.diff} label="What restoring changes" />
        ) : (
          <p role="status">Comparing…</p>
        )}
        {isRunning && (
          <p className="text-sm">
            Live settings (cgroup limits) are applied to the running container at once.
          </p>
        )}
      </ConfirmDialog>
    </div>
  );
}
