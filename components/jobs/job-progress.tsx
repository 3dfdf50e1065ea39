"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useCallback, useEffect, useRef, useState } from "react";
import { usePhaseText } from "@/components/lib/phase-text";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ErrorAlert } from "@/components/ui/error-alert";

/** A progress bar: determinate with a value, indeterminate (no value, an animated bar) when it cannot be known. */
export function ProgressBar({ value, label }: { value: number | null; label: string }) {
  const t = useTranslations("jobs.progress");
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value ?? undefined}
      aria-valuetext={value === null ? t("unknown") : t("percent", { value })}
      className="h-2.5 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
    >
      <div
        className={`h-full rounded-full bg-sky-600 transition-all dark:bg-sky-400 ${value === null ? "w-1/3 animate-pulse" : ""}`}
        style={value === null ? undefined : { width: `${value}%` }}
      />
    </div>
  );
}

/** The kinds of job the server runs (server/provision/): each has its words under jobs.kinds, jobs.subjects, jobs.headings. */
const KINDS = [
  "create",
  "clone",
  "snapshot",
  "restore",
  "restore-new",
  "convert",
  "autostart",
  "packages",
] as const;
const isKnown = (kind: string): kind is (typeof KINDS)[number] => (KINDS as readonly string[]).includes(kind);

/**
 * A job's words in the page's language: its kind ("create"), what it is about ("create web1", for labels), its
 * heading ("Creating web1") and its state. A kind the catalogue does not know is shown as the server names it.
 */
export function useJobWords() {
  const t = useTranslations("jobs");
  return {
    kind: useCallback((kind: string) => (isKnown(kind) ? t(`kinds.${kind}`) : kind), [t]),
    subject: useCallback(
      (kind: string, target: string) =>
        isKnown(kind) ? t(`subjects.${kind}`, { target }) : t("subjects.other", { kind, target }),
      [t],
    ),
    heading: useCallback(
      (kind: string, target: string) =>
        isKnown(kind) ? t(`headings.${kind}`, { target }) : t("headings.other", { kind, target }),
      [t],
    ),
    /** The state as a sentence's start ("Done"), for the job's own panel. */
    state: useCallback((state: string) => t("states", { state }), [t]),
    /** The state as a table cell ("succeeded"). */
    stateCell: useCallback((state: string) => t("stateCells", { state }), [t]),
  };
}

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
  const t = useTranslations("jobs");
  const words = useJobWords();
  const phaseText = usePhaseText();
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

  if (job.isPending) return <p role="status">{t("loading")}</p>;
  if (job.isError) return <ErrorAlert error={job.error} title={t("readError")} />;
  const data = job.data;
  const isRunning = data.state === "running";
  let stateLine = words.state(data.state);
  if (isRunning && data.phase) stateLine = t("withPhase", { state: stateLine, phase: phaseText(data.phase) });
  if (isRunning && data.progress !== null)
    stateLine = t("withProgress", { state: stateLine, progress: data.progress });
  return (
    <section
      aria-label={t("region", { subject: words.subject(data.kind, data.target) })}
      data-testid="job"
      data-state={data.state}
      className="space-y-3"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <p className="font-medium">{words.heading(data.kind, data.target)}</p>
        <p role="status" data-testid="job-state" className="text-sm">
          {stateLine}
        </p>
      </div>
      <ProgressBar
        value={isRunning ? data.progress : data.state === "succeeded" ? 100 : data.progress}
        label={t("progress.label", { subject: words.subject(data.kind, data.target) })}
      />
      {data.error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {data.error}
        </p>
      )}
      <details open={data.state !== "succeeded"}>
        <summary className="cursor-pointer text-sm">{t("log", { count: data.log.length })}</summary>
        <pre
          ref={logRef}
          data-testid="job-log"
          className="mt-2 max-h-64 overflow-auto rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-950"
        >
          {data.log.join("\n") || t("logEmpty")}
        </pre>
      </details>
      {canCancel && isRunning && (
        <Button variant="danger" isPending={cancel.isPending} onClick={() => setAskCancel(true)}>
          {t("cancel.button")}
        </Button>
      )}
      {cancel.isError && <ErrorAlert error={cancel.error} title={t("cancel.error")} />}
      <ConfirmDialog
        open={askCancel}
        title={t("cancel.title")}
        confirmLabel={t("cancel.button")}
        onCancel={() => setAskCancel(false)}
        onConfirm={() => {
          setAskCancel(false);
          cancel.mutate({ id });
        }}
      >
        <p>{t("cancel.body", { target: data.target })}</p>
      </ConfirmDialog>
    </section>
  );
}
