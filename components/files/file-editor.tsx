"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { useFormat } from "@/components/i18n/use-format";
import { useTRPC } from "@/components/trpc";
import { Button, Spinner, buttonClass } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { downloadNameOf, filesUrl, modeText, octalOf, ownerText } from "./files-draft";
import { TextEditor } from "./text-editor";

/** A tRPC error's code (CONFLICT, NOT_FOUND…), or null. */
export const codeOf = (error: unknown) => (error as { data?: { code?: string } } | null)?.data?.code ?? null;

/**
 * One file of the container in the editor: read (bounded by the server), edited, saved atomically with the time it
 * was read, so a file changed meanwhile (by the guest, another user) is not overwritten unnoticed: the user reloads
 * or overwrites on purpose. Binary and truncated files are not edited (saving would cut them): download instead.
 * `onDirtyChange` lets the tab guard its other ways out (breadcrumb, shortcuts, close); the browser asks on reload.
 */
export function FileEditor({
  name,
  path,
  canChange,
  onDirtyChange,
  onClose,
}: {
  name: string;
  path: string;
  canChange: boolean;
  onDirtyChange: (isDirty: boolean) => void;
  onClose: () => void;
}) {
  const t = useTranslations("files.editor");
  const f = useFormat();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const read = useQuery(trpc.files.read.queryOptions({ name, path }, { staleTime: Infinity, gcTime: 0 }));
  const [draft, setDraft] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const original = read.data?.content ?? "";
  const text = draft ?? original;
  const isDirty = draft !== null && draft !== original;

  useEffect(() => {
    onDirtyChange(isDirty);
  }, [isDirty, onDirtyChange]);
  // Gone (the browser's Back, say): nothing of it is left to guard.
  useEffect(() => () => onDirtyChange(false), [onDirtyChange]);
  useEffect(() => {
    if (!isDirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [isDirty]);

  const write = useMutation(
    trpc.files.write.mutationOptions({
      onSuccess: (entry, input) => {
        // A new file has nothing cached to update: it is read afresh.
        if (read.data)
          queryClient.setQueryData(trpc.files.read.queryKey({ name, path }), {
            ...read.data,
            entry,
            content: input.content,
          });
        else void read.refetch();
        setDraft(null);
        setSaved(true);
        void queryClient.invalidateQueries(trpc.files.list.pathFilter());
      },
    }),
  );
  const save = (overwrite: boolean) => {
    setSaved(false);
    write.mutate({
      name,
      path,
      content: text,
      ...(overwrite || !read.data ? {} : { expectedMtime: read.data.entry.mtime }),
    });
  };
  const reload = () => {
    setDraft(null);
    write.reset();
    setSaved(false);
    void read.refetch();
  };

  const heading = (
    <div className="flex flex-wrap items-baseline justify-between gap-2">
      <h3 className="text-base font-semibold">
        <code className="font-mono">{path}</code>
      </h3>
      <Button size="sm" onClick={onClose}>
        {t("close")}
      </Button>
    </div>
  );
  if (read.isPending)
    return (
      <div className="space-y-2">
        {heading}
        <p role="status" className="flex items-center gap-2 text-sm">
          <Spinner /> {t("loading", { path })}
        </p>
      </div>
    );
  // A file that is not there yet (a shortcut's network file, say) opens empty, to be created by the save.
  const isNew = read.isError && codeOf(read.error) === "NOT_FOUND" && canChange;
  if (read.isError && !isNew)
    return (
      <div className="space-y-2">
        {heading}
        <ErrorAlert error={read.error} title={t("notRead", { path })} />
      </div>
    );

  if (!read.data)
    return (
      <div className="space-y-3">
        {heading}
        <p role="note" className="text-sm">
          {t("new", { path })}
        </p>
        <div className="flex flex-wrap items-center gap-2">
          <Button
            variant="primary"
            disabled={!isDirty}
            isPending={write.isPending}
            onClick={() => save(true)}
          >
            {t("create")}
          </Button>
        </div>
        {write.isError && <ErrorAlert error={write.error} title={t("notSaved", { path })} />}
        <TextEditor value={text} onChange={setDraft} label={t("label", { path })} isReadOnly={false} />
      </div>
    );
  const { entry } = read.data;
  const download = (
    <a
      href={filesUrl(name, path)}
      download={downloadNameOf(entry)}
      className={buttonClass("secondary", "sm")}
    >
      {t("download")}
    </a>
  );
  const facts = (
    <p className="text-sm text-slate-600 dark:text-slate-300">
      {t("facts", { size: f.bytes(entry.size), time: f.dateTime(new Date(entry.mtime)) })}{" "}
      <code className="font-mono text-xs" translate="no">
        {modeText(entry.mode, entry.kind)} {octalOf(entry.mode)} {ownerText(entry)}
      </code>
    </p>
  );
  if (read.data.isBinary || read.data.isTruncated)
    return (
      <div className="space-y-3">
        {heading}
        {facts}
        <p
          role="note"
          className="rounded-md border border-slate-300 bg-slate-100 px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-900"
        >
          {read.data.isBinary ? t("binary") : t("truncated", { size: f.bytes(entry.size) })}
        </p>
        {download}
      </div>
    );

  const isConflict = write.isError && codeOf(write.error) === "CONFLICT";
  return (
    <div className="space-y-3">
      {heading}
      {facts}
      {entry.kind === "symlink" && canChange && (
        <p role="note" className="text-sm text-amber-800 dark:text-amber-200">
          {t("replacesLink", { target: entry.linkTarget ?? "" })}
        </p>
      )}
      <div className="flex flex-wrap items-center gap-2">
        {canChange && (
          <Button
            variant="primary"
            disabled={!isDirty}
            isPending={write.isPending}
            onClick={() => save(false)}
          >
            {t("save")}
          </Button>
        )}
        {canChange && (
          <Button disabled={!isDirty} onClick={() => setDraft(null)}>
            {t("discard")}
          </Button>
        )}
        {download}
        <span className="text-sm text-slate-600 dark:text-slate-300" aria-live="polite">
          {isDirty ? t("unsaved") : saved ? t("saved", { path }) : ""}
        </span>
      </div>
      {isConflict ? (
        <div
          role="alert"
          className="space-y-2 rounded-md border border-amber-400 bg-amber-50 px-4 py-3 text-sm text-amber-950 dark:border-amber-600 dark:bg-amber-950 dark:text-amber-100"
        >
          <p className="font-semibold">{t("conflict.title", { path })}</p>
          <p>{t("conflict.body")}</p>
          <div className="flex flex-wrap gap-2">
            <Button size="sm" onClick={reload}>
              {t("conflict.reload")}
            </Button>
            <Button size="sm" variant="danger" onClick={() => save(true)}>
              {t("conflict.overwrite")}
            </Button>
          </div>
        </div>
      ) : (
        write.isError && <ErrorAlert error={write.error} title={t("notSaved", { path })} />
      )}
      <TextEditor
        value={text}
        onChange={(value) => {
          setSaved(false);
          setDraft(value);
        }}
        label={t("label", { path })}
        isReadOnly={!canChange}
      />
    </div>
  );
}
