"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc";
import { Button, Spinner } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ErrorAlert } from "@/components/ui/error-alert";
import { AdminLocksProvider } from "./admin-locks";
import { LockedLines } from "./locked-lines";
import { useSession } from "@/components/auth/use-session";
import { migrateLegacy, validateConfig } from "@/server/schemas/lxc-config/validate";
import type { TValidateConfigResponse } from "@/server/trpc/routers/config/config.types";
import { DiffView } from "./diff-view";
import { ImportPanel } from "./import-panel";
import { RawEditor } from "./raw-editor";
import { SettingsForm } from "./settings-form";
import { ProblemList } from "./problem-list";

type TTab = "settings" | "text" | "history";

/**
 * A container's config: the settings form and the raw text edit one draft; nothing is written until the review
 * (the server's validation, including liblxc's parser, and the exact diff) is confirmed. Every version is kept and
 * can be restored the same way.
 */
export function ConfigEditor({ name }: { name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useSession();
  const config = useQuery(trpc.config.get.queryOptions({ name }));
  const container = useQuery(trpc.containers.get.queryOptions({ name }));
  const [tab, setTab] = useState<TTab>("settings");
  const [draft, setDraft] = useState<string | null>(null);
  const [review, setReview] = useState<TValidateConfigResponse | null>(null);
  const [applyLive, setApplyLive] = useState(true);
  const [result, setResult] = useState<TValidateConfigResponse | null>(null);
  const [isImporting, setIsImporting] = useState(false);
  const [isImported, setIsImported] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  const original = config.data?.raw ?? "";
  const text = draft ?? original;
  const isDirty = draft !== null && draft !== original;
  const local = useMemo(() => validateConfig(text), [text]);
  const localErrors = local.filter((problem) => problem.severity === "error");
  const hasLegacy = local.some((problem) => problem.replacement !== undefined);
  const isRunning = container.data?.state === "RUNNING" || container.data?.state === "FROZEN";

  const refresh = () => {
    void queryClient.invalidateQueries(trpc.config.pathFilter());
  };
  const check = useMutation({
    mutationFn: (raw: string) =>
      queryClient.fetchQuery(trpc.config.validate.queryOptions({ name, raw }, { staleTime: 0 })),
    onSuccess: (data) => setReview(data),
  });
  const save = useMutation(
    trpc.config.save.mutationOptions({
      onSuccess: (data) => {
        setReview(null);
        setResult(data);
        setDraft(null);
        setIsImported(false);
        refresh();
      },
    }),
  );

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (review && !element.open) element.showModal();
    if (!review && element.open) element.close();
  }, [review]);

  if (config.isPending) {
    return (
      <p role="status" className="flex items-center gap-2">
        <Spinner /> Loading the config of {name}…
      </p>
    );
  }
  if (config.isError) return <ErrorAlert error={config.error} title="The config could not be read" />;

  const reviewErrors = review?.problems.filter((problem) => problem.severity === "error") ?? [];
  const tabs: { id: TTab; label: string }[] = [
    { id: "settings", label: "Settings" },
    { id: "text", label: "Text" },
    { id: "history", label: "History" },
  ];
  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-600 dark:text-slate-300">
        <code className="font-mono text-xs">{config.data.path}</code>
        {isDirty ? " · unsaved changes" : ""}
      </p>
      <div
        role="tablist"
        aria-label="Config views"
        className="flex gap-1 border-b border-slate-200 dark:border-slate-800"
      >
        {tabs.map((entry) => (
          <button
            key={entry.id}
            type="button"
            role="tab"
            id={`tab-${entry.id}`}
            aria-selected={tab === entry.id}
            aria-controls={`panel-${entry.id}`}
            onClick={() => setTab(entry.id)}
            className={`-mb-px border-b-2 px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-sky-600 ${tab === entry.id ? "border-sky-600 font-semibold" : "border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"}`}
          >
            {entry.label}
          </button>
        ))}
      </div>

      {result && (
        <div
          role="status"
          className="rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm dark:border-emerald-800 dark:bg-emerald-950"
        >
          <p className="font-medium">Saved.</p>
          <ul className="mt-1 list-inside list-disc">
            {result.changes.map((change) => (
              <li key={change.key}>
                <code className="font-mono text-xs">{change.key}</code>:{" "}
                {change.applied?.ok
                  ? "applied to the running container now"
                  : change.applied
                    ? `not applied now (${change.applied.message}); it applies at the next start`
                    : change.apply === "live" && isRunning
                      ? "applies at the next start (not applied live)"
                      : "applies at the next start"}
              </li>
            ))}
          </ul>
        </div>
      )}

      {tab !== "history" && (
        <div className="flex flex-wrap items-center gap-3">
          {can("operator") && (
            <Button
              variant="primary"
              disabled={!isDirty || check.isPending}
              isPending={check.isPending}
              onClick={() => check.mutate(text)}
            >
              Review and save
            </Button>
          )}
          <Button
            disabled={!isDirty}
            onClick={() => {
              setDraft(null);
              setIsImported(false);
            }}
          >
            Discard changes
          </Button>
          {can("operator") && (
            <Button onClick={() => setIsImporting(true)} disabled={isImporting}>
              Import…
            </Button>
          )}
          {hasLegacy && <Button onClick={() => setDraft(migrateLegacy(text))}>Migrate legacy keys</Button>}
          <span className="text-sm text-slate-600 dark:text-slate-300" aria-live="polite">
            {localErrors.length > 0
              ? `${localErrors.length} error${localErrors.length === 1 ? "" : "s"}`
              : "No error found"}
            {local.length > localErrors.length ? `, ${local.length - localErrors.length} warning(s)` : ""}
          </span>
        </div>
      )}
      {isImporting && (
        <ImportPanel
          onClose={() => setIsImporting(false)}
          onLoad={(imported) => {
            setDraft(imported);
            setIsImported(true);
            setIsImporting(false);
            setTab("text");
          }}
        />
      )}
      {check.isError && <ErrorAlert error={check.error} title="The config could not be checked" />}
      {save.isError && <ErrorAlert error={save.error} title="The config was not saved" />}
      {tab !== "history" && local.length > 0 && <ProblemList problems={local} />}

      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === "settings" && (
          <AdminLocksProvider
            isAdmin={config.data.canWriteAdminLines}
            context={{
              // The config's path is LXCPATH/NAME/config.
              lxcPath: config.data.path.split("/").slice(0, -2).join("/") || "/",
              name,
              bindRoots: config.data.bindRoots,
            }}
          >
            <SettingsForm
              text={text}
              onChange={setDraft}
              cgroup={config.data.cgroup}
              bindRoots={config.data.bindRoots}
            />
          </AdminLocksProvider>
        )}
        {tab === "text" && <RawEditor value={text} onChange={setDraft} label={`Config of ${name}`} />}
        {tab === "history" && (
          <ConfigHistory
            name={name}
            baseVersion={config.data.version}
            isRunning={isRunning}
            canRestore={can("operator")}
            onRestored={(data) => {
              setResult(data);
              setDraft(null);
              refresh();
            }}
          />
        )}
      </div>

      {/* Below the editor: above it, it would push the editor's last lines out of view. */}
      {tab !== "history" && <LockedLines config={config.data} />}

      <dialog
        ref={dialog}
        aria-labelledby={titleId}
        onCancel={(event) => {
          event.preventDefault();
          setReview(null);
        }}
        className="m-auto w-full max-w-3xl rounded-lg border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-black/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
      >
        {review && (
          <div className="space-y-4 p-5">
            <h2 id={titleId} className="text-lg font-semibold">
              {reviewErrors.length > 0 ? "This config cannot be saved" : `Save these changes to ${name}?`}
            </h2>
            {reviewErrors.length > 0 && (
              <ul role="alert" className="space-y-1 text-sm text-red-700 dark:text-red-300">
                {reviewErrors.map((problem, index) => (
                  <li key={index}>
                    Line {problem.line}: {problem.message}
                  </li>
                ))}
              </ul>
            )}
            <DiffView diff={review.diff} label="Changes to the config file" />
            {review.changes.length > 0 && (
              <ul className="space-y-1 text-sm">
                {review.changes.map((change) => (
                  <li key={change.key}>
                    <code className="font-mono text-xs">{change.key}</code>{" "}
                    {change.apply === "live"
                      ? isRunning
                        ? "can apply now"
                        : "applies at the next start"
                      : "applies at the next start"}
                  </li>
                ))}
              </ul>
            )}
            {isRunning && review.changes.some((change) => change.apply === "live") && (
              <label className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  checked={applyLive}
                  onChange={(event) => setApplyLive(event.target.checked)}
                />
                Apply the live changes to the running container now
              </label>
            )}
            <div className="flex justify-end gap-2">
              <Button onClick={() => setReview(null)}>Cancel</Button>
              <Button
                variant="primary"
                disabled={reviewErrors.length > 0}
                isPending={save.isPending}
                onClick={() =>
                  save.mutate({
                    name,
                    raw: text,
                    baseVersion: review.version,
                    applyLive: isRunning && applyLive,
                    reason: isImported ? "import" : "save",
                  })
                }
              >
                Save
              </Button>
            </div>
          </div>
        )}
      </dialog>
      <p>
        <Link
          href={`/containers/${encodeURIComponent(name)}`}
          className="text-sm text-sky-700 hover:underline dark:text-sky-400"
        >
          ← Back to {name}
        </Link>
      </p>
    </div>
  );
}

function ConfigHistory({
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
  const reasons: Record<string, string> = {
    found: "as first found on disk",
    save: "saved",
    restore: "restored",
    import: "imported",
  };
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
              {reasons[row.reason] ?? row.reason} · {row.lines} lines
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
