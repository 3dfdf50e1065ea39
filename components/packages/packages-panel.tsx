"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useMemo, useState } from "react";
import { JobProgress } from "@/components/jobs/job-progress";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ErrorAlert } from "@/components/ui/error-alert";
import { ZPackageQuery } from "@/server/schemas/packages";
import { PackagesTable } from "./packages-table";

type TAsk =
  | { action: "install"; packages: string[] }
  | { action: "remove"; packages: string[] }
  | { action: "upgrade" }
  | null;

/**
 * A container's packages (dpkg on Debian, apk on Alpine), read and changed by its own package manager inside it:
 * the installed list with a filter, a search of its repositories with Install, Remove per row and Upgrade all, each
 * confirmed, then followed as a job (progress, the manager's own lines, Cancel). A stopped container cannot be read:
 * the page says so and offers a temporary start for a change; a container without a package manager (busybox) is
 * said to have none.
 */
export function PackagesPanel({
  name,
  canChange,
  isAdmin,
  isPrivileged,
}: {
  name: string;
  canChange: boolean;
  isAdmin: boolean;
  isPrivileged: boolean;
}) {
  const t = useTranslations("packages");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.packages.list.queryOptions({ name }));
  const [typed, setTyped] = useState("");
  const [query, setQuery] = useState<string | null>(null);
  const [queryError, setQueryError] = useState<string | null>(null);
  const search = useQuery({
    ...trpc.packages.search.queryOptions({ name, query: query ?? "" }),
    enabled: query !== null,
  });
  const [temporaryStart, setTemporaryStart] = useState(false);
  const [ask, setAsk] = useState<TAsk>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const onStarted = { onSuccess: (data: { jobId: string }) => setJobId(data.jobId) };
  const install = useMutation(trpc.packages.install.mutationOptions(onStarted));
  const remove = useMutation(trpc.packages.remove.mutationOptions(onStarted));
  const upgrade = useMutation(trpc.packages.upgrade.mutationOptions(onStarted));
  const failed = [install, remove, upgrade].find((mutation) => mutation.isError);
  const installedNames = useMemo(
    () => new Set((list.data?.packages ?? []).map((entry) => entry.name)),
    [list.data],
  );

  const isRunning = list.data?.isRunning ?? false;
  const hasNoManager = isRunning && list.data?.manager === null;
  const mayChange = canChange && (!isPrivileged || isAdmin) && !hasNoManager;
  const extra = !isRunning && temporaryStart ? { temporaryStart: true } : {};
  const confirm = () => {
    if (ask?.action === "install") install.mutate({ name, packages: ask.packages, ...extra });
    if (ask?.action === "remove") remove.mutate({ name, packages: ask.packages, ...extra });
    if (ask?.action === "upgrade") upgrade.mutate({ name, ...extra });
    setAsk(null);
  };

  return (
    <section aria-labelledby="packages-heading" className="space-y-4">
      <h2 id="packages-heading" className="text-lg font-semibold">
        {t("heading")}
      </h2>
      {list.isError && <ErrorAlert error={list.error} title={t("notRead")} />}
      {list.isPending && <p role="status">{t("loading")}</p>}
      {list.data && !isRunning && (
        <div
          role="note"
          className="space-y-2 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-700 dark:bg-amber-950"
        >
          <p>{t("stopped", { name, state: list.data.state })}</p>
          {mayChange && list.data.state === "STOPPED" && (
            <label className="flex items-center gap-2">
              <input
                type="checkbox"
                checked={temporaryStart}
                onChange={(event) => setTemporaryStart(event.target.checked)}
              />
              {t("temporaryStart")}
            </label>
          )}
        </div>
      )}
      {hasNoManager && (
        <p
          role="note"
          data-testid="no-package-manager"
          className="rounded-lg border border-slate-300 p-3 text-sm dark:border-slate-700"
        >
          {t("noManager", { name })}
        </p>
      )}
      {canChange && isPrivileged && !isAdmin && (
        <p className="text-sm text-slate-600 dark:text-slate-300">{t("adminsOnly")}</p>
      )}
      {failed?.error && <ErrorAlert error={failed.error} title={t("notStarted")} />}
      {jobId && (
        <JobProgress
          key={jobId}
          id={jobId}
          canCancel={canChange}
          onFinished={() => {
            void queryClient.invalidateQueries(trpc.packages.pathFilter());
            void queryClient.invalidateQueries(trpc.containers.pathFilter());
          }}
        />
      )}
      {!hasNoManager && (isRunning || temporaryStart) && mayChange && (
        <div className="flex flex-wrap items-center gap-2">
          <Button onClick={() => setAsk({ action: "upgrade" })} disabled={upgrade.isPending}>
            {t("upgrade.button")}
          </Button>
        </div>
      )}
      {isRunning && !hasNoManager && (
        <form
          role="search"
          aria-label={t("search.form")}
          className="flex flex-wrap items-end gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            const parsed = ZPackageQuery.safeParse(typed);
            setQueryError(parsed.success ? null : t("search.invalid"));
            if (parsed.success) setQuery(parsed.data);
          }}
        >
          <div className="space-y-1">
            <label htmlFor="package-search" className="block text-sm font-medium">
              {t("search.label")}
            </label>
            <input
              id="package-search"
              type="search"
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
              aria-invalid={queryError ? true : undefined}
              aria-describedby={queryError ? "package-search-error" : undefined}
              className="w-72 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-600 dark:bg-slate-900"
            />
            {queryError && (
              <p id="package-search-error" className="text-sm text-red-700 dark:text-red-400">
                {queryError}
              </p>
            )}
          </div>
          <Button type="submit" isPending={search.isFetching}>
            {t("search.button")}
          </Button>
        </form>
      )}
      {search.isError && <ErrorAlert error={search.error} title={t("search.failed")} />}
      {query !== null && search.data && (
        <div className="space-y-2">
          <h3 className="font-medium">
            {t("search.results", { count: search.data.total, query })}
            {search.data.total > search.data.results.length &&
              ` ${t("search.cut", { shown: search.data.results.length })}`}
          </h3>
          <PackagesTable
            caption={t("search.caption", { query })}
            rows={search.data.results.map((entry) => ({
              ...entry,
              arch: null,
              isInstalled: entry.isInstalled || installedNames.has(entry.name),
            }))}
            canChange={mayChange}
            onInstall={(packageName) => setAsk({ action: "install", packages: [packageName] })}
            onRemove={(packageName) => setAsk({ action: "remove", packages: [packageName] })}
            withFilter={false}
          />
        </div>
      )}
      {isRunning && list.data?.manager && (
        <div className="space-y-2">
          <h3 className="font-medium">
            {t("installed.heading", { count: list.data.packages.length, manager: list.data.manager })}
          </h3>
          <PackagesTable
            caption={t("installed.caption", { name })}
            rows={list.data.packages.map((entry) => ({ ...entry, isInstalled: true }))}
            canChange={mayChange}
            onInstall={(packageName) => setAsk({ action: "install", packages: [packageName] })}
            onRemove={(packageName) => setAsk({ action: "remove", packages: [packageName] })}
            withFilter
          />
        </div>
      )}
      <ConfirmDialog
        open={ask?.action === "install"}
        title={t("install.title", {
          packages: ask?.action === "install" ? ask.packages.join(" ") : "",
          name,
        })}
        confirmLabel={t("install.confirm")}
        onCancel={() => setAsk(null)}
        onConfirm={confirm}
      >
        <p>{t("install.body")}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={ask?.action === "remove"}
        title={t("remove.title", { packages: ask?.action === "remove" ? ask.packages.join(" ") : "", name })}
        confirmLabel={t("remove.confirm")}
        onCancel={() => setAsk(null)}
        onConfirm={confirm}
      >
        <p>{t("remove.body")}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={ask?.action === "upgrade"}
        title={t("upgrade.title", { name })}
        confirmLabel={t("upgrade.confirm")}
        onCancel={() => setAsk(null)}
        onConfirm={confirm}
      >
        <p>{t("upgrade.body")}</p>
      </ConfirmDialog>
    </section>
  );
}
