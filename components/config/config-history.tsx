"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useFormat } from "@/components/i18n/use-format";
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
  const t = useTranslations("config");
  const f = useFormat();
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
  if (history.isPending) return <p role="status">{t("history.loading")}</p>;
  if (history.isError) return <ErrorAlert error={history.error} title={t("history.readError")} />;
  if (history.data.length === 0)
    return <p className="text-sm text-slate-600 dark:text-slate-300">{t("history.empty")}</p>;
  return (
    <div className="space-y-3">
      <ol
        aria-label={t("history.label")}
        className="divide-y divide-slate-100 rounded-lg border border-slate-200 dark:divide-slate-800 dark:border-slate-800"
      >
        {history.data.map((row) => (
          <li key={row.id} className="flex flex-wrap items-center justify-between gap-2 px-3 py-2 text-sm">
            <span>
              {t.rich("history.row", {
                at: f.dateTime(row.at),
                author: row.author,
                reason: historyReason(t, row.reason),
                lines: row.lines,
                time: (chunks) => <time dateTime={row.at.toISOString()}>{chunks}</time>,
              })}
              {row.isCurrent && (
                <span className="ml-2 rounded bg-sky-100 px-1.5 text-xs text-sky-900 dark:bg-sky-900 dark:text-sky-100">
                  {t("history.current")}
                </span>
              )}
            </span>
            {canRestore && !row.isCurrent && (
              <Button size="sm" onClick={() => setChosen(row.id)}>
                {t("history.restore")}
              </Button>
            )}
          </li>
        ))}
      </ol>
      {restore.isError && <ErrorAlert error={restore.error} title={t("history.restoreError")} />}
      <ConfirmDialog
        open={chosen !== null}
        title={t("history.confirmTitle")}
        confirmLabel={t("history.confirmLabel")}
        onCancel={() => setChosen(null)}
        onConfirm={() =>
          chosen !== null && restore.mutate({ name, id: chosen, baseVersion, applyLive: isRunning })
        }
      >
        {diff.data ? (
          <DiffView diff={diff.data.diff} label={t("history.diffLabel")} />
        ) : (
          <p role="status">{t("history.comparing")}</p>
        )}
        {isRunning && <p className="text-sm">{t("history.live")}</p>}
      </ConfirmDialog>
    </div>
  );
}
