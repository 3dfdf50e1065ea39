"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ErrorAlert } from "@/components/ui/error-alert";

/** A progress bar: determinate with a value, indeterminate (no value, an animated bar) when it cannot be known. */
export function ProgressBar({ value, label }: { value: number | null; label: string }) {
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value ?? undefined}
      aria-valuetext={value === null ? "working, progress unknown" : `${value} %`}
      className="h-2.5 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
    >
      <div
        className={`h-full rounded-full bg-sky-600 transition-all dark:bg-sky-400 ${value === null ? "w-1/3 animate-pulse" : ""}`}
        style={value === null ? undefined : { width: `${value}%` }}
      />
    </div>
  );
}

const STATE_WORDS: Record<string, string> = {
  running: "Running",
  succeeded: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
  interrupted: "Interrupted",
};

/**
 * One job, live: state, progress bar, phase, the end of its log, and Cancel (confirmed). Polls while it runs and
 * calls onFinished once with the final state.
 */
export function JobProgress({
  id,
  canCancel,
  onFinished,
}: {
  id: string;
  canCancel: boolean;
  onFinished?: (state: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const job = useQuery({
    ...trpc.jobs.get.queryOptions({ id, tail: 200 }),
    refetchInterval: (query) => (query.state.data?.state === "running" ? 700 : false),
  });
  const [askCancel, setAskCancel] = useState(false);
  const cancel = useMutation(
    trpc.jobs.cancel.mutationOptions({
      onSettled: () => void queryClient.invalidateQueries(trpc.jobs.pathFilter()),
    }),
  );
  const reported = useRef(false);
  const state = job.data?.state;
  useEffect(() => {
    if (state && state !== "running" && !reported.current) {
      reported.current = true;
      onFinished?.(state);
    }
  }, [state, onFinished]);
  const logRef = useRef<HTMLPreElement>(null);
  const lines = job.data?.log.length ?? 0;
  useEffect(() => {
    logRef.current?.scrollTo({ top: logRef.current.scrollHeight });
  }, [lines]);

  if (job.isPending) return <p role="status">Loading the job…</p>;
  if (job.isError) return <ErrorAlert error={job.error} title="The job could not be read" />;
  const data = job.data;
  return (
    <section
      aria-label={`Job: ${data.kind} ${data.target}`}
      data-testid="job"
      data-state={data.state}
      className="space-y-3"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <p className="font-medium">
          {data.kind === "create" ? "Creating" : data.kind === "clone" ? "Cloning into" : data.kind}{" "}
          {data.target}
        </p>
        <p role="status" data-testid="job-state" className="text-sm">
          {STATE_WORDS[data.state] ?? data.state}
          {data.state === "running" && data.phase ? `: ${data.phase}` : ""}
          {data.state === "running" && data.progress !== null ? ` (${data.progress} %)` : ""}
        </p>
      </div>
      <ProgressBar
        value={data.state === "running" ? data.progress : data.state === "succeeded" ? 100 : data.progress}
        label={`Progress of ${data.kind} ${data.target}`}
      />
      {data.error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {data.error}
        </p>
      )}
      <details open={data.state !== "succeeded"}>
        <summary className="cursor-pointer text-sm">Log ({data.log.length} last lines)</summary>
        <pre
          ref={logRef}
          data-testid="job-log"
          className="mt-2 max-h-64 overflow-auto rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-950"
        >
          {data.log.join("\n") || "(nothing yet)"}
        </pre>
      </details>
      {canCancel && data.state === "running" && (
        <Button variant="danger" isPending={cancel.isPending} onClick={() => setAskCancel(true)}>
          Cancel the job
        </Button>
      )}
      {cancel.isError && <ErrorAlert error={cancel.error} title="The job was not cancelled" />}
      <ConfirmDialog
        open={askCancel}
        title="Cancel this job?"
        confirmLabel="Cancel the job"
        onCancel={() => setAskCancel(false)}
        onConfirm={() => {
          setAskCancel(false);
          cancel.mutate({ id });
        }}
      >
        <p>Its commands are stopped and what it has made so far ({data.target}) is removed.</p>
      </ConfirmDialog>
    </section>
  );
}
