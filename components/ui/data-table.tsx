import { useTranslations } from "next-intl";
import type { ReactNode } from "react";

type TDataTableProps = {
  /** Read by screen readers: what the table lists. */
  caption: string;
  /**
   * Column headings; an empty string is an actions column (named for screen readers only). A column given with a
   * className carries it on its heading (e.g. "hidden sm:table-cell" to leave it out on a phone; its cells say the
   * same).
   */
  columns: (string | { label: string; className: string })[];
  children: ReactNode;
};

/** A plain table with a screen-reader caption and column headings; rows are the caller's <tr>s. */
export function DataTable({ caption, columns, children }: TDataTableProps) {
  const t = useTranslations("common");
  return (
    // A region of its own that takes focus: a table wider than the screen scrolls sideways with the keyboard too.
    <div
      role="region"
      aria-label={caption}
      tabIndex={0}
      className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-600 dark:border-slate-800 dark:bg-slate-900"
    >
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-slate-200 text-xs uppercase text-slate-500 dark:border-slate-800 dark:text-slate-400">
          <tr>
            {columns.map((column, index) => {
              const { label, className } =
                typeof column === "string" ? { label: column, className: "" } : column;
              return (
                <th key={label || `actions-${index}`} scope="col" className={`px-3 py-2 ${className}`}>
                  {label || <span className="sr-only">{t("actions")}</span>}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody className="[&>tr]:border-b [&>tr]:border-slate-100 [&>tr:last-child]:border-0 dark:[&>tr]:border-slate-800 [&_td]:px-3 [&_td]:py-1.5 [&_th]:px-3 [&_th]:py-1.5">
          {children}
        </tbody>
      </table>
    </div>
  );
}
