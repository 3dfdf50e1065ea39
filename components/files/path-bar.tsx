"use client";

import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { crumbsOf, normalizeTypedPath } from "./files-draft";

/**
 * Where the browser is: the path's directories as a breadcrumb (each one a button that goes there) and the same
 * path in a field the user edits and goes to with Enter. Going anywhere passes through `onGo`, which guards unsaved
 * edits. The tab keys it by the path, so the field starts again from each new place.
 */
export function PathBar({ path, onGo }: { path: string; onGo: (path: string) => void }) {
  const t = useTranslations("files.path");
  const inputId = useId();
  const [typed, setTyped] = useState(path);
  const crumbs = crumbsOf(path);
  // The root is "/" to the eye and "root directory" to a screen reader.
  const label = (crumb: { name: string; path: string }) =>
    crumb.path === "/" ? (
      <>
        <span aria-hidden="true">/</span>
        <span className="sr-only">{t("root")}</span>
      </>
    ) : (
      <span translate="no">{crumb.name}</span>
    );
  return (
    <div className="space-y-2">
      <nav aria-label={t("crumbs")}>
        <ol className="flex flex-wrap items-center gap-1 font-mono text-sm">
          {crumbs.map((crumb, index) => {
            const isLast = index === crumbs.length - 1;
            return (
              <li key={crumb.path} className="flex items-center gap-1">
                {index > 1 && <span aria-hidden="true">/</span>}
                {isLast ? (
                  <span aria-current="location" className="px-1 font-semibold">
                    {label(crumb)}
                  </span>
                ) : (
                  <button
                    type="button"
                    onClick={() => onGo(crumb.path)}
                    className="rounded px-1 text-sky-700 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600 dark:text-sky-400"
                  >
                    {label(crumb)}
                  </button>
                )}
              </li>
            );
          })}
        </ol>
      </nav>
      <form
        className="flex items-end gap-2"
        onSubmit={(event) => {
          event.preventDefault();
          const target = normalizeTypedPath(typed);
          if (target) onGo(target);
        }}
      >
        <div className="flex-1 space-y-1">
          <label htmlFor={inputId} className="block text-sm font-medium">
            {t("label")}
          </label>
          <input
            id={inputId}
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            autoComplete="off"
            spellCheck={false}
            className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm dark:border-slate-600 dark:bg-slate-800"
          />
        </div>
        <Button type="submit">{t("go")}</Button>
      </form>
    </div>
  );
}
