"use client";

import Link from "next/link";
import { useSelectedLayoutSegment } from "next/navigation";
import { useTranslations } from "next-intl";

/**
 * The container page's tabs, one URL each (`/containers/NAME` is the overview). One array so a later issue adds its
 * tab (Files, Backups) with one entry (and its label in the containers catalogue's `tabs`), once the page
 * behind it exists.
 */
export const containerTabs = [
  { key: "overview", segment: null },
  { key: "usage", segment: "usage" },
  { key: "config", segment: "config" },
  { key: "network", segment: "network" },
  { key: "files", segment: "files" },
  { key: "packages", segment: "packages" },
  { key: "services", segment: "services" },
  { key: "snapshots", segment: "snapshots" },
  { key: "shell", segment: "shell" },
  { key: "console", segment: "console" },
] as const satisfies readonly { key: string; segment: string | null }[];

/**
 * Links in a nav landmark with aria-current="page", not role=tablist: each tab changes the URL and loads its own
 * page, and WAI-ARIA's tabs pattern is for panels swapped in place (role=tab would promise arrow keys and hide that
 * these are links that open in a new tab, survive reload and go in history). Tab and Enter work as on any link.
 */
export function ContainerTabs({ name }: { name: string }) {
  // The segment under app/containers/[name]/: null on the overview's own page.
  const current = useSelectedLayoutSegment();
  const t = useTranslations("containers.tabs");
  const base = `/containers/${encodeURIComponent(name)}`;
  return (
    <nav aria-label={t("label")} className="border-b border-slate-200 dark:border-slate-700">
      <ul className="-mb-px flex flex-wrap gap-1">
        {containerTabs.map((tab) => {
          const isCurrent = tab.segment === current;
          return (
            <li key={tab.key}>
              <Link
                href={tab.segment ? `${base}/${tab.segment}` : base}
                aria-current={isCurrent ? "page" : undefined}
                className={
                  isCurrent
                    ? "block border-b-2 border-sky-700 px-3 py-2 text-sm font-semibold text-sky-800 dark:border-sky-400 dark:text-sky-300"
                    : "block border-b-2 border-transparent px-3 py-2 text-sm text-slate-700 hover:border-slate-400 hover:text-slate-900 dark:text-slate-300 dark:hover:border-slate-500 dark:hover:text-white"
                }
              >
                {t(tab.key)}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
