"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { JobProgress } from "@/components/jobs/job-progress";
import { formatBytes } from "@/components/lib/format";
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
  const why = isStopped ? undefined : "LXC snapshots and restores only stopped containers: stop it first.";
  return (
    <section aria-labelledby="snapshots-heading" className="space-y-3">
      <h2 id="snapshots-heading" className="text-lg font-semibold">
        Snapshots
      </h2>
      {canChange && (
        <form
          className="flex flex-wrap items-end gap-2"
          aria-label="Take a snapshot"
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate({ name, ...(comment.trim() ? { comment: comment.trim() } : {}) });
          }}
        >
          <TextField
            label="Comment"
            value={comment}
            onChange={(event) => setComment(event.target.value)}
            className="w-72"
          />
          <Button type="submit" disabled={!isStopped} title={why} isPending={create.isPending}>
            Take a snapshot
          </Button>
          {!isStopped && <p className="text-sm text-slate-600 dark:text-slate-300">{why}</p>}
        </form>
      )}
      {create.isError && <ErrorAlert error={create.error} title="No snapshot was taken" />}
      {restore.isError && <ErrorAlert error={restore.error} title="The snapshot was not restored" />}
      {remove.isError && <ErrorAlert error={remove.error} title="The snapshot was not deleted" />}
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
      {snapshots.isError && <ErrorAlert error={snapshots.error} title="The snapshots could not be read" />}
      {snapshots.data &&
        (snapshots.data.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-300">No snapshot yet.</p>
        ) : (
          <DataTable caption="Snapshots, oldest first" columns={["Snapshot", "Taken", "Comment", "Size", ""]}>
            {snapshots.data.map((snapshot) => (
              <tr key={snapshot.name} data-snapshot={snapshot.name}>
                <th scope="row" className="font-mono text-xs font-medium">
                  {snapshot.name}
                </th>
                <td>{snapshot.createdAt?.toLocaleString() ?? "–"}</td>
                <td>{snapshot.comment ?? "–"}</td>
                <td>{formatBytes(snapshot.bytes)}</td>
                <td className="space-x-1 whitespace-nowrap">
                  {canChange && (
                    <>
                      <Button
                        size="sm"
                        disabled={!isStopped}
                        title={why}
                        onClick={() => setAsk({ action: "restore", snapshot: snapshot.name })}
                      >
                        Restore {snapshot.name}
                      </Button>
                      <Button
                        size="sm"
                        onClick={() => setAsk({ action: "restore-new", snapshot: snapshot.name })}
                      >
                        As a new container
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        onClick={() => setAsk({ action: "delete", snapshot: snapshot.name })}
                      >
                        Delete {snapshot.name}
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
        title={`Restore ${ask?.snapshot ?? ""} onto ${name}?`}
        confirmLabel="Restore it"
        onCancel={() => setAsk(null)}
        onConfirm={() => {
          if (ask) restore.mutate({ name, snapshot: ask.snapshot });
          setAsk(null);
        }}
      >
        <p>
          {name}&apos;s root filesystem and config are replaced by the snapshot&apos;s. What changed since is
          lost (take a snapshot first to keep it).
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={ask?.action === "restore-new"}
        title={`A new container from ${ask?.snapshot ?? ""}`}
        confirmLabel="Create it"
        onCancel={() => setAsk(null)}
        onConfirm={() => {
          if (ask && newName.trim())
            restore.mutate({ name, snapshot: ask.snapshot, newName: newName.trim() });
          setAsk(null);
        }}
      >
        <TextField
          label="New container's name"
          value={newName}
          onChange={(event) => setNewName(event.target.value)}
        />
      </ConfirmDialog>
      <ConfirmDialog
        open={ask?.action === "delete"}
        title={`Delete ${ask?.snapshot ?? ""}?`}
        confirmLabel="Delete it"
        requireText={ask?.snapshot}
        onCancel={() => setAsk(null)}
        onConfirm={() => {
          if (ask) remove.mutate({ name, snapshot: ask.snapshot });
          setAsk(null);
        }}
      >
        <p>The snapshot is deleted for good.</p>
      </ConfirmDialog>
    </section>
  );
}
