"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc";
import { Button, Spinner } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { AdminLocksProvider } from "./admin-locks";
import { LockedLines } from "./locked-lines";
import { useSession } from "@/components/auth/use-session";
import { fixProblem, migrateLegacy } from "@/server/schemas/lxc-config/validate";
import type { TValidateConfigResponse } from "@/server/trpc/routers/config/config.types";
import { DiffView } from "@/components/ui/diff-view";
import { ImportPanel } from "./import-panel";
import { RawEditor } from "./raw-editor";
import { SettingsForm } from "./settings-form";
import { ConfigHistory } from "./config-history";
import { ProblemList } from "./problem-list";
import { useConfigWords } from "./problem-words";
import {
  TABS,
  canApplyLive,
  checkLocally,
  isDirtyDraft,
  isRunningState,
  localSummary,
  lxcPathOf,
  reviewErrorsOf,
  reviewTitle,
  reviewedChangeNote,
  saveInput,
  savedChangeNote,
  tabLabel,
  textOf,
  type TTab,
} from "./config-editor-draft";

/**
 * A container's config: the settings form and the raw text edit one draft; nothing is written until the review
 * (the server's validation, including liblxc's parser, and the exact diff) is confirmed. Every version is kept and
 * can be restored the same way.
 */
export function ConfigEditor({ name }: { name: string }) {
  const t = useTranslations("config");
  const configWords = useConfigWords();
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
  const text = textOf(draft, original);
  const isDirty = isDirtyDraft(draft, original);
  const local = useMemo(() => checkLocally(text), [text]);
  const isRunning = isRunningState(container.data?.state);

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
        <Spinner /> {t("editor.loading", { name })}
      </p>
    );
  }
  if (config.isError) return <ErrorAlert error={config.error} title={t("editor.readError")} />;

  const reviewErrors = reviewErrorsOf(review);
  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-600 dark:text-slate-300">
        <code className="font-mono text-xs">{config.data.path}</code>
        {isDirty ? ` · ${t("editor.unsaved")}` : ""}
      </p>
      <div
        role="tablist"
        aria-label={t("editor.tabsLabel")}
        className="flex gap-1 border-b border-slate-200 dark:border-slate-800"
      >
        {TABS.map((entry) => (
          <button
            key={entry}
            type="button"
            role="tab"
            id={`tab-${entry}`}
            aria-selected={tab === entry}
            aria-controls={`panel-${entry}`}
            onClick={() => setTab(entry)}
            className={`-mb-px border-b-2 px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-sky-600 ${tab === entry ? "border-sky-600 font-semibold" : "border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"}`}
          >
            {tabLabel(t, entry)}
          </button>
        ))}
      </div>

      {result && (
        <div
          role="status"
          className="rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm dark:border-emerald-800 dark:bg-emerald-950"
        >
          <p className="font-medium">{t("editor.saved")}</p>
          <ul className="mt-1 list-inside list-disc">
            {result.changes.map((change) => (
              <li key={change.key}>
                {t.rich("editor.savedChange", {
                  key: change.key,
                  note: savedChangeNote(t, change, isRunning),
                  code: (chunks) => <code className="font-mono text-xs">{chunks}</code>,
                })}
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
              {t("editor.reviewAndSave")}
            </Button>
          )}
          <Button
            disabled={!isDirty}
            onClick={() => {
              setDraft(null);
              setIsImported(false);
            }}
          >
            {t("editor.discard")}
          </Button>
          {can("operator") && (
            <Button onClick={() => setIsImporting(true)} disabled={isImporting}>
              {t("editor.import")}
            </Button>
          )}
          {local.hasLegacy && (
            <Button onClick={() => setDraft(migrateLegacy(text))}>{t("editor.migrateLegacy")}</Button>
          )}
          <span className="text-sm text-slate-600 dark:text-slate-300" aria-live="polite">
            {localSummary(t, local)}
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
      {check.isError && <ErrorAlert error={check.error} title={t("editor.checkError")} />}
      {save.isError && <ErrorAlert error={save.error} title={t("editor.saveError")} />}
      {tab !== "history" && local.problems.length > 0 && (
        <ProblemList problems={local.problems} onFix={(problem) => setDraft(fixProblem(text, problem))} />
      )}

      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === "settings" && (
          <AdminLocksProvider
            isAdmin={config.data.canWriteAdminLines}
            context={{
              lxcPath: lxcPathOf(config.data.path),
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
        {tab === "text" && <RawEditor value={text} onChange={setDraft} label={t("page.title", { name })} />}
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
              {reviewTitle(t, name, reviewErrors)}
            </h2>
            {reviewErrors.length > 0 && (
              // The server's findings (liblxc's parser among them), worded from their sentences in the page's language.
              <ul role="alert" className="space-y-1 text-sm text-red-700 dark:text-red-300">
                {reviewErrors.map((problem, index) => (
                  <li key={index}>
                    {t("problems.line", { line: problem.line, message: configWords.problem(problem) })}
                  </li>
                ))}
              </ul>
            )}
            <DiffView diff={review.diff} label={t("review.diffLabel")} />
            {review.changes.length > 0 && (
              <ul className="space-y-1 text-sm">
                {review.changes.map((change) => (
                  <li key={change.key}>
                    <code className="font-mono text-xs">{change.key}</code>{" "}
                    {reviewedChangeNote(t, change, isRunning)}
                  </li>
                ))}
              </ul>
            )}
            {canApplyLive(review, isRunning) && (
              <label className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  checked={applyLive}
                  onChange={(event) => setApplyLive(event.target.checked)}
                />
                {t("review.applyLive")}
              </label>
            )}
            <div className="flex justify-end gap-2">
              <Button onClick={() => setReview(null)}>{t("review.cancel")}</Button>
              <Button
                variant="primary"
                disabled={reviewErrors.length > 0}
                isPending={save.isPending}
                onClick={() =>
                  save.mutate(saveInput({ name, text, review, isRunning, applyLive, isImported }))
                }
              >
                {t("review.save")}
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
          {t("editor.back", { name })}
        </Link>
      </p>
    </div>
  );
}
