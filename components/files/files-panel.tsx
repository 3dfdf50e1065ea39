"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useTranslations } from "next-intl";
import { useCallback, useState } from "react";
import { useSession } from "@/components/auth/use-session";
import { useContainer } from "@/components/containers/use-container";
import { useTRPC } from "@/components/trpc";
import { Button, Spinner, buttonClass } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ErrorAlert } from "@/components/ui/error-alert";
import { FileDialogs, type TFileAsk } from "./file-dialogs";
import { FileEditor } from "./file-editor";
import { FileTable } from "./file-table";
import { downloadNameOf, filesUrl, normalizeTypedPath, parentOf, sortEntries } from "./files-draft";
import { PathBar } from "./path-bar";
import { ShortcutsBar } from "./shortcuts-bar";
import { UploadZone } from "./upload-zone";

const noteClass = "rounded-md border px-3 py-2 text-sm";
const infoClass = `${noteClass} border-slate-300 bg-slate-100 dark:border-slate-700 dark:bg-slate-900`;
const warnClass = `${noteClass} border-amber-400 bg-amber-50 text-amber-950 dark:border-amber-600 dark:bg-amber-950 dark:text-amber-100`;

/**
 * The Files tab: the container's files as it sees them (owners through its id map), browsed by path; a file opens
 * in the editor. Where the directory and the open file are lives in the address (`?path=`, `?file=`), so links,
 * reloads and the browser's history keep them. Who may change: operators and admins; a privileged container's files
 * only admins (the server refuses the others and the tab says so first); viewers browse and download.
 */
export function FilesPanel({ name }: { name: string }) {
  const t = useTranslations("files");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const session = useSession();
  const detail = useContainer(name);
  const isOperator = session.can("operator");
  const isAdmin = session.can("admin");
  const isolation = useQuery({ ...trpc.containers.isolation.queryOptions({ name }), enabled: isOperator });
  const isPrivileged = isolation.data?.unprivileged === false;
  // Not before the container's isolation is known: an operator never gets controls the server would refuse.
  const canChange = isOperator && !isolation.isPending && !(isPrivileged && !isAdmin);

  const file = normalizeTypedPath(search.get("file") ?? "");
  const directory = normalizeTypedPath(search.get("path") ?? "") ?? (file ? parentOf(file) : "/");
  const listing = useQuery({
    ...trpc.files.list.queryOptions({ name, path: directory }),
    enabled: file === null,
  });

  const [isDirty, setIsDirty] = useState(false);
  const [leaving, setLeaving] = useState<string | null>(null);
  const [ask, setAsk] = useState<TFileAsk>(null);

  const hrefOf = useCallback(
    (target: { path?: string; file?: string }) =>
      `${pathname}?${new URLSearchParams(target.file ? { file: target.file } : { path: target.path ?? "/" }).toString()}`,
    [pathname],
  );
  // Every way out of an edited file passes here: the user confirms losing the edits first.
  const goTo = (href: string) => {
    if (isDirty) setLeaving(href);
    else router.push(href);
  };
  const go = (path: string) => goTo(hrefOf({ path }));
  const open = (path: string) => goTo(hrefOf({ file: path }));
  // A typed path may be a file: it is opened rather than listed.
  const goTyped = async (path: string) => {
    try {
      const entry = await queryClient.fetchQuery(
        trpc.files.stat.queryOptions({ name, path }, { staleTime: 0, retry: false }),
      );
      if (entry.kind === "directory") go(path);
      else open(path);
    } catch {
      go(path);
    }
  };
  const onDirtyChange = useCallback((dirty: boolean) => setIsDirty(dirty), []);

  const state = detail.data?.state;
  const isStopped = state === "STOPPED";
  return (
    <section aria-labelledby="files-heading" className="space-y-4">
      <h2 id="files-heading" className="text-lg font-semibold">
        {t("heading")}
      </h2>
      {state && (
        <p role="note" className={infoClass} data-testid="files-where">
          {isStopped ? t("where.stopped") : t("where.running")}
        </p>
      )}
      {isPrivileged && (
        <div role="note" className={warnClass} data-testid="files-privileged">
          <p className="font-semibold">{t("access.privilegedTitle")}</p>
          <p>{isAdmin ? t("access.privilegedAdmin", { name }) : t("access.privilegedOperator", { name })}</p>
        </div>
      )}
      {session.user && !isOperator && (
        <p role="note" className={infoClass} data-testid="files-viewer">
          {t("access.viewer")}
        </p>
      )}
      <ShortcutsBar name={name} canChange={canChange} onOpen={open} />
      <PathBar key={file ?? directory} path={file ?? directory} onGo={(path) => void goTyped(path)} />

      <p role="status" aria-live="polite" className="sr-only" data-testid="files-live">
        {file === null &&
          (listing.isPending
            ? t("live.loading", { path: directory })
            : listing.data
              ? t("live.loaded", { path: listing.data.path, count: listing.data.entries.length })
              : "")}
      </p>

      {file !== null ? (
        <FileEditor
          key={file}
          name={name}
          path={file}
          canChange={canChange}
          onDirtyChange={onDirtyChange}
          onClose={() => go(parentOf(file))}
        />
      ) : (
        <>
          <div className="flex flex-wrap items-center gap-2">
            {canChange && (
              <>
                <Button size="sm" onClick={() => setAsk({ action: "newFile", directory })}>
                  {t("toolbar.newFile")}
                </Button>
                <Button size="sm" onClick={() => setAsk({ action: "newDirectory", directory })}>
                  {t("toolbar.newDirectory")}
                </Button>
              </>
            )}
            <a
              href={filesUrl(name, directory)}
              download={downloadNameOf({ path: directory, kind: "directory" })}
              className={buttonClass("secondary", "sm")}
            >
              {t("toolbar.downloadTar")}
            </a>
          </div>
          {canChange && <UploadZone name={name} directory={directory} />}
          {listing.isPending && (
            <p className="flex items-center gap-2 text-sm" aria-hidden="true">
              <Spinner /> {t("live.loading", { path: directory })}
            </p>
          )}
          {listing.isError && (
            <ErrorAlert error={listing.error} title={t("notListed", { path: directory })} />
          )}
          {listing.data && (
            <>
              {listing.data.isTruncated && (
                <p role="note" className={warnClass}>
                  {t("truncated", { count: listing.data.entries.length })}
                </p>
              )}
              {listing.data.entries.length === 0 && (
                <p className="text-sm text-slate-600 dark:text-slate-300">{t("empty")}</p>
              )}
              <FileTable
                name={name}
                directory={listing.data.path}
                entries={sortEntries(listing.data.entries)}
                canChange={canChange}
                hrefOf={hrefOf}
                onGo={go}
                onAction={(action, entry) => setAsk({ action, entry })}
              />
            </>
          )}
        </>
      )}
      <FileDialogs name={name} ask={ask} onClose={() => setAsk(null)} />
      <ConfirmDialog
        open={leaving !== null}
        title={t("leave.title")}
        confirmLabel={t("leave.confirm")}
        onCancel={() => setLeaving(null)}
        onConfirm={() => {
          if (leaving) router.push(leaving);
          setLeaving(null);
          setIsDirty(false);
        }}
      >
        <p>{t("leave.body", { path: file ?? "" })}</p>
      </ConfirmDialog>
    </section>
  );
}
