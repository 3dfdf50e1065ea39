"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import type { KeyboardEvent } from "react";
import { useFormat } from "@/components/i18n/use-format";
import { Button, buttonClass } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import {
  ENTRY_ACTIONS,
  POINTS_TO,
  downloadNameOf,
  filesUrl,
  isOpenable,
  modeText,
  octalOf,
  ownerText,
  parentOf,
} from "./files-draft";
import type { TFileEntry, TFileKind } from "./files-types";

export type TEntryAction = (typeof ENTRY_ACTIONS)[number];

const ICONS: Record<TFileKind, string> = {
  directory: "M3 6a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z",
  file: "M6 3h8l4 4v14H6zM14 3v4h4",
  symlink:
    "M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1",
  other: "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z",
};

function KindIcon({ kind }: { kind: TFileKind }) {
  return (
    <svg
      aria-hidden="true"
      viewBox="0 0 24 24"
      className={`h-4 w-4 shrink-0 fill-none stroke-current stroke-2 ${kind === "directory" ? "text-sky-700 dark:text-sky-400" : "text-slate-500 dark:text-slate-400"}`}
    >
      <path d={ICONS[kind]} />
    </svg>
  );
}

const linkClass =
  "rounded text-sky-700 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600 dark:text-sky-400";

/**
 * A directory's entries, directories first: name (with its kind, and a link's target), size, owner and group as the
 * container names them, mode (ls -l text and octal), time. The keyboard: arrow keys move between the names, Enter
 * opens, Backspace goes up a directory. Downloads for everyone; the changes only for those who may.
 */
export function FileTable({
  name,
  directory,
  entries,
  canChange,
  hrefOf,
  onGo,
  onAction,
}: {
  name: string;
  directory: string;
  entries: readonly TFileEntry[];
  canChange: boolean;
  hrefOf: (target: { path?: string; file?: string }) => string;
  onGo: (path: string) => void;
  onAction: (action: TEntryAction, entry: TFileEntry) => void;
}) {
  const t = useTranslations("files.table");
  const f = useFormat();

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const target = event.target as HTMLElement;
    if (target.closest("input, textarea, select")) return;
    if (event.key === "Backspace" && directory !== "/") {
      event.preventDefault();
      onGo(parentOf(directory));
      return;
    }
    if (!["ArrowDown", "ArrowUp", "Home", "End"].includes(event.key)) return;
    const links = Array.from(event.currentTarget.querySelectorAll<HTMLElement>("[data-entry-link]"));
    if (links.length === 0) return;
    event.preventDefault();
    const at = links.indexOf(target.closest<HTMLElement>("tr")?.querySelector("[data-entry-link]") ?? target);
    const next =
      event.key === "Home"
        ? 0
        : event.key === "End"
          ? links.length - 1
          : Math.min(links.length - 1, Math.max(0, at + (event.key === "ArrowDown" ? 1 : -1)));
    links[at === -1 ? 0 : next]?.focus();
  };

  return (
    <div onKeyDown={onKeyDown}>
      <DataTable
        caption={t("caption", { path: directory })}
        columns={[
          t("name"),
          t("size"),
          { label: t("owner"), className: "hidden md:table-cell" },
          t("mode"),
          { label: t("modified"), className: "hidden lg:table-cell" },
          "",
        ]}
      >
        {directory !== "/" && (
          <tr>
            <th scope="row" className="font-normal">
              <Link
                href={hrefOf({ path: parentOf(directory) })}
                data-entry-link
                className={`${linkClass} font-mono`}
              >
                <span aria-hidden="true">..</span>
                <span className="sr-only">{t("up")}</span>
              </Link>
            </th>
            <td colSpan={5} />
          </tr>
        )}
        {entries.map((entry) => (
          <tr key={entry.path} data-entry={entry.name}>
            <th scope="row" className="font-normal">
              <span className="flex items-center gap-2">
                <KindIcon kind={entry.kind} />
                <span className="sr-only">{t(`kinds.${entry.kind}`)}</span>
                {entry.kind === "directory" ? (
                  <Link
                    href={hrefOf({ path: entry.path })}
                    data-entry-link
                    className={`${linkClass} font-mono`}
                    translate="no"
                  >
                    {entry.name}
                  </Link>
                ) : isOpenable(entry) ? (
                  <Link
                    href={hrefOf({ file: entry.path })}
                    data-entry-link
                    className={`${linkClass} font-mono`}
                    translate="no"
                  >
                    {entry.name}
                  </Link>
                ) : (
                  <span tabIndex={-1} data-entry-link className="font-mono" translate="no">
                    {entry.name}
                  </span>
                )}
                {entry.linkTarget !== null && (
                  <span className="font-mono text-xs text-slate-600 dark:text-slate-300" translate="no">
                    <span aria-hidden="true">{POINTS_TO} </span>
                    <span className="sr-only">{t("pointsTo")} </span>
                    {entry.linkTarget}
                  </span>
                )}
              </span>
            </th>
            <td className="whitespace-nowrap">{entry.kind === "directory" ? "" : f.bytes(entry.size)}</td>
            <td className="hidden font-mono text-xs md:table-cell" translate="no">
              {ownerText(entry)}
            </td>
            <td className="whitespace-nowrap font-mono text-xs" translate="no">
              {modeText(entry.mode, entry.kind)}{" "}
              <span className="text-slate-500 dark:text-slate-400">{octalOf(entry.mode)}</span>
            </td>
            <td className="hidden whitespace-nowrap lg:table-cell">{f.dateTime(new Date(entry.mtime))}</td>
            <td className="space-x-1 whitespace-nowrap text-right">
              {(entry.kind === "file" || entry.kind === "directory") && (
                <a
                  href={filesUrl(name, entry.path)}
                  download={downloadNameOf(entry)}
                  className={buttonClass("ghost", "sm")}
                >
                  {entry.kind === "directory" ? t("downloadTar") : t("download")}
                  <span className="sr-only" translate="no">
                    {` ${entry.name}`}
                  </span>
                </a>
              )}
              {canChange &&
                ENTRY_ACTIONS.map((action) => (
                  <Button key={action} size="sm" variant="ghost" onClick={() => onAction(action, entry)}>
                    {t(`actions.${action}`)}
                    <span className="sr-only" translate="no">
                      {` ${entry.name}`}
                    </span>
                  </Button>
                ))}
            </td>
          </tr>
        ))}
      </DataTable>
    </div>
  );
}
