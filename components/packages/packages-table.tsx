"use client";

import { useTranslations } from "next-intl";
import { useMemo, useState } from "react";
import { Button } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { filterRows } from "./packages-filter";

export type TPackageRow = {
  name: string;
  version: string;
  arch: string | null;
  summary: string;
  isInstalled: boolean;
};

/** Packages in a table (name, version, architecture, summary) with Install or Remove per row, paged, filterable. */
export function PackagesTable({
  caption,
  rows,
  canChange,
  onInstall,
  onRemove,
  withFilter,
}: {
  caption: string;
  rows: TPackageRow[];
  canChange: boolean;
  onInstall: (name: string) => void;
  onRemove: (name: string) => void;
  withFilter: boolean;
}) {
  const t = useTranslations("packages");
  const [filter, setFilter] = useState("");
  const [page, setPage] = useState(0);
  const shown = useMemo(() => filterRows(rows, filter, page), [rows, filter, page]);
  const hasArch = rows.some((row) => row.arch !== null);
  return (
    <div className="space-y-2">
      {withFilter && (
        <div className="flex flex-wrap items-end gap-3">
          <div className="space-y-1">
            <label htmlFor="package-filter" className="block text-sm font-medium">
              {t("filter.label")}
            </label>
            <input
              id="package-filter"
              type="search"
              value={filter}
              onChange={(event) => {
                setFilter(event.target.value);
                setPage(0);
              }}
              className="w-72 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-600 dark:bg-slate-900"
            />
          </div>
          <p role="status" className="text-sm text-slate-600 dark:text-slate-300">
            {t("filter.count", { kept: shown.kept, total: rows.length })}
          </p>
        </div>
      )}
      <DataTable
        caption={caption}
        columns={[
          t("columns.name"),
          t("columns.version"),
          ...(hasArch ? [t("columns.arch")] : []),
          t("columns.summary"),
          ...(canChange ? [t("columns.actions")] : []),
        ]}
      >
        {shown.rows.map((row) => (
          <tr key={row.name} data-package={row.name}>
            <th scope="row" className="font-mono text-xs font-medium">
              {row.name}
              {row.isInstalled && !hasArch && (
                <span className="ml-2 text-slate-500 dark:text-slate-400">{t("installedMark")}</span>
              )}
            </th>
            <td className="font-mono text-xs">{row.version || "–"}</td>
            {hasArch && <td>{row.arch}</td>}
            <td>{row.summary}</td>
            {canChange && (
              <td className="whitespace-nowrap">
                {row.isInstalled ? (
                  <Button size="sm" variant="ghost" onClick={() => onRemove(row.name)}>
                    {t("remove.button", { package: row.name })}
                  </Button>
                ) : (
                  <Button size="sm" onClick={() => onInstall(row.name)}>
                    {t("install.button", { package: row.name })}
                  </Button>
                )}
              </td>
            )}
          </tr>
        ))}
      </DataTable>
      {shown.pages > 1 && (
        <nav aria-label={t("pages.label")} className="flex items-center gap-2 text-sm">
          <Button size="sm" disabled={shown.page === 0} onClick={() => setPage(shown.page - 1)}>
            {t("pages.previous")}
          </Button>
          <span>{t("pages.position", { page: shown.page + 1, pages: shown.pages })}</span>
          <Button size="sm" disabled={shown.page >= shown.pages - 1} onClick={() => setPage(shown.page + 1)}>
            {t("pages.next")}
          </Button>
        </nav>
      )}
    </div>
  );
}
