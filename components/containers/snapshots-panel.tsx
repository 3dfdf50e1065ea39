"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useFormat } from "@/components/i18n/use-format";
import { JobProgress } from "@/components/jobs/job-progress";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DataTable } from "@/components/ui/data-table";
import { ErrorAlert } from "@/components/ui/error-alert";
import { TextField } from "@/components/ui/text-field";

type TAsk =
  | { action: "restore"; snapshot: string }
  | { action: "restore-new"; snapshot: string }
  | { action: "delete"; snapshot: string }
  | null;

/**
 * A container's snapshots: take one (with a comment), list them (time, comment, size), restore in place or as a new
 * container, delete. LXC snapshots only stopped containers: while it runs, the buttons are disabled and say why.
 */
export function SnapshotsPanel({
  name,
  isStopped,
  canChange,
}: {
  name: string;
  isStopped: boolean;
  canChange: boolean;
}) {
  const t = useTranslations("snapshots");
  const f = useFormat();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const snapshots = useQuery(trpc.snapshots.list.queryOptions({ name }));
  const [comment, setComment] = useState("");
  const [jobId, setJobId] = useState<string | null>(null);
  const [ask, setAsk] = useState<TAsk>(null);
  const [newName, setNewName] = useState("");
  const refresh = () => void queryClient.invalidateQueries(trpc.snapshots.pathFilter());
  const create = useMutation(
    trpc.snapshots.create.mutationOptions({ onSuccess: (data) => setJobId(data.jobId) }),
  );
  const restore = useMutation(
    trpc.snapshots.restore.mutationOptions({ onSuccess: (data) => setJobId(data.jobId) }),
  );
  const remove = useMutation(trpc.snapshots.delete.mutationOptions({ onSuccess: refresh }));
  const why = isStopped ? undefined : t("onlyStopped");
  return (
    <section aria-labelledby="snapshots-heading" className="space-y-3">
      <h2 id="snapshots-heading" className="text-lg font-semibold">
        {t("heading")}
      </h2>
      {canChange && (
        <form
          className="flex flex-wrap items-end gap-2"
          aria-label={t("take.form")}
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate({ name, ...(comment.trim() ? { comment: comment.trim() } : {}) });
          }}
        >
          <TextField
            label={t("take.comment")}
            value={comment}
            onChange={(event) => setComment(event.target.value)}
            className="w-72"
          />
          <Button type="submit" disabled={!isStopped} title={why} isPending={create.isPending}>
            {t("take.button")}
          </Button>
          {!isStopped && <p className="text-sm text-slate-600 dark:text-slate-300">{why}</p>}
        </form>
      )}
      {create.isError && <ErrorAlert error={create.error} title={t("take.notTaken")} />}
      {restore.isError && <ErrorAlert error={restore.error} title={t("notRestored")} />}
      {remove.isError && <ErrorAlert error={remove.error} title={t("notDeleted")} />}
      {jobId && (
        <JobProgress
          key={jobId}
          id={jobId}
          canCancel={false}
          onFinished={() => {
            refresh();
            void queryClient.invalidateQueries(trpc.containers.pathFilter());
          }}
        />
      )}
      {snapshots.isError && <ErrorAlert error={snapshots.error} title={t("notRead")} />}
      {snapshots.data &&
        (snapshots.data.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-300">{t("none")}</p>
        ) : (
          <DataTable
            caption={t("table.caption")}
            columns={[t("table.snapshot"), t("table.taken"), t("table.comment"), t("table.size"), ""]}
          >
            {snapshots.data.map((snapshot) => (
              <tr key={snapshot.name} data-snapshot={snapshot.name}>
                <th scope="row" className="font-mono text-xs font-medium">
                  {snapshot.name}
                </th>
                <td>{snapshot.createdAt ? f.dateTime(snapshot.createdAt) : "–"}</td>
                <td>{snapshot.comment ?? "–"}</td>
                <td>{f.bytes(snapshot.bytes)}</td>
                <td className="space-x-1 whitespace-nowrap">
                  {canChange && (
                    <>
                      <Button
                        size="sm"
                        disabled={!isStopped}
                        title={why}
                        onClick={() => setAsk({ action: "restore", snapshot: snapshot.name })}
                      >
                        {t("restore.button", { snapshot: snapshot.name })}
                      </Button>
                      <Button
                        size="sm"
                        onClick={() => setAsk({ action: "restore-new", snapshot: snapshot.name })}
                      >
                        {t("restoreNew.button")}
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        onClick={() => setAsk({ action: "delete", snapshot: snapshot.name })}
                      >
                        {t("delete.button", { snapshot: snapshot.name })}
                      </Button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        ))}
      <ConfirmDialog
        open={ask?.action === "restore"}
        title={t("restore.title", { snapshot: ask?.snapshot ?? "", name })}
        confirmLabel={t("restore.confirm")}
        onCancel={() => setAsk(null)}
        onConfirm={() => {
          if (ask) restore.mutate({ name, snapshot: ask.snapshot });
          setAsk(null);
        }}
      >
        <p>{t("restore.body", { name })}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={ask?.action === "restore-new"}
        title={t("restoreNew.title", { snapshot: ask?.snapshot ?? "" })}
        confirmLabel={t("restoreNew.confirm")}
        onCancel={() => setAsk(null)}
        onConfirm={() => {
          if (ask && newName.trim())
            restore.mutate({ name, snapshot: ask.snapshot, newName: newName.trim() });
          setAsk(null);
        }}
      >
        <TextField
          label={t("restoreNew.name")}
          value={newName}
          onChange={(event) => setNewName(event.target.value)}
        />
      </ConfirmDialog>
      <ConfirmDialog
        open={ask?.action === "delete"}
        title={t("delete.title", { snapshot: ask?.snapshot ?? "" })}
        confirmLabel={t("delete.confirm")}
        requireText={ask?.snapshot}
        onCancel={() => setAsk(null)}
        onConfirm={() => {
          if (ask) remove.mutate({ name, snapshot: ask.snapshot });
          setAsk(null);
        }}
      >
        <p>{t("delete.body")}</p>
      </ConfirmDialog>
    </section>
  );
}
