"use client";

import { useTranslations } from "next-intl";
import type { TGetConfigResponse } from "@/server/trpc/routers/config/config.types";
import { LOCK } from "./admin-locks";
import { useConfigWords } from "./problem-words";

/**
 * The lines of a config only an admin may add or change (hooks, host paths, loosened confinement…), with why. An
 * operator may keep them as they are; a save that adds or alters one is refused by the server, naming the line.
 */
export function LockedLines({ config }: { config: TGetConfigResponse }) {
  const t = useTranslations("config.locked");
  const words = useConfigWords();
  const locked = config.entries.filter((entry) => entry.adminOnly !== null);
  if (config.canWriteAdminLines || locked.length === 0) return null;
  return (
    <details
      className="rounded border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-700 dark:bg-amber-950"
      data-testid="locked-lines"
    >
      <summary className="cursor-pointer font-medium">{t("summary", { count: locked.length })}</summary>
      <p className="mt-2 text-slate-700 dark:text-slate-200">{t("intro")}</p>
      <ul aria-label={t("label")} className="mt-2 space-y-1">
        {locked.map((entry) => (
          <li key={entry.line}>
            <span aria-hidden="true">{LOCK}</span>
            {t.rich("line", {
              line: entry.line,
              key: entry.key,
              reason: words.lock(entry.adminOnlyWords, entry.adminOnly ?? ""),
              code: (chunks) => <code className="font-mono text-xs">{chunks}</code>,
            })}
          </li>
        ))}
      </ul>
    </details>
  );
}
