"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useEffect } from "react";
import { useTRPC } from "@/components/trpc";
import { ErrorAlert } from "@/components/ui/error-alert";
import { containerHref } from "./palette-model";

/** What the palette says after an action: done, failed (with the server's words), or a snapshot job under way. */
export type TNote =
  | { id: number; kind: "done"; text: string }
  | { id: number; kind: "error"; title: string; error: unknown }
  | { id: number; kind: "job"; jobId: string; name: string };

/** How long a success stays on screen; errors stay until dismissed, a job until a while after it ends. */
export const NOTE_MS = 6000;

const boxClass =
  "flex items-start justify-between gap-2 rounded-md border border-slate-200 bg-white p-3 text-sm text-slate-900 shadow-lg dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100";
const linkClass = "ml-2 text-sky-700 underline dark:text-sky-400";

/**
 * The palette's notices, bottom left (the live notices of other people's changes are bottom right): announced
 * politely, errors as alerts.
 */
export function PaletteFeedback({ notes, dismiss }: { notes: TNote[]; dismiss: (id: number) => void }) {
  const t = useTranslations("palette");
  return (
    <div
      aria-live="polite"
      className="fixed bottom-4 left-4 z-40 flex w-80 max-w-[calc(100vw-2rem)] flex-col gap-2"
    >
      {notes.map((note) => (
        <div key={note.id} className={boxClass}>
          {note.kind === "done" && <p role="status">{note.text}</p>}
          {note.kind === "error" && (
            <div className="flex-1">
              <ErrorAlert error={note.error} title={note.title} />
            </div>
          )}
          {note.kind === "job" && (
            <SnapshotJob id={note.id} jobId={note.jobId} name={note.name} dismiss={dismiss} />
          )}
          <button
            type="button"
            aria-label={t("dismiss")}
            onClick={() => dismiss(note.id)}
            className="text-slate-500 hover:text-slate-900 dark:text-slate-400 dark:hover:text-white"
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

/** A snapshot the palette started: followed until its job ends, then said and gone a few seconds later. */
function SnapshotJob({
  id,
  jobId,
  name,
  dismiss,
}: {
  id: number;
  jobId: string;
  name: string;
  dismiss: (id: number) => void;
}) {
  const t = useTranslations("palette.snapshot");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const job = useQuery({
    ...trpc.jobs.get.queryOptions({ id: jobId, tail: 0 }),
    refetchInterval: (query) => (query.state.data?.state === "running" ? 700 : false),
  });
  const state = job.data?.state;
  const hasEnded = state !== undefined && state !== "running";
  useEffect(() => {
    if (!hasEnded) return;
    void queryClient.invalidateQueries(trpc.snapshots.pathFilter());
    void queryClient.invalidateQueries(trpc.containers.pathFilter());
    const timer = setTimeout(() => dismiss(id), NOTE_MS);
    return () => clearTimeout(timer);
  }, [hasEnded, queryClient, trpc, dismiss, id]);

  const text = job.isError
    ? t("unknown", { name })
    : !hasEnded
      ? t("running", { name })
      : state === "succeeded"
        ? t("succeeded", { name })
        : t("ended", { name, state });
  return (
    <p role="status">
      {text}
      <Link href={containerHref(name, "snapshots")} className={linkClass}>
        {t("snapshots")}
      </Link>
      <Link href={`/jobs?id=${encodeURIComponent(jobId)}`} className={linkClass}>
        {t("jobLog")}
      </Link>
    </p>
  );
}
