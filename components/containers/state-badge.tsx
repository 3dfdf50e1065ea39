import { useTranslations } from "next-intl";
import type { TContainerSummary } from "@/server/trpc/routers/containers/schemas";

const styles: Record<string, string> = {
  RUNNING: "bg-emerald-100 text-emerald-900 ring-emerald-600/30 dark:bg-emerald-950 dark:text-emerald-200",
  FROZEN: "bg-sky-100 text-sky-900 ring-sky-600/30 dark:bg-sky-950 dark:text-sky-200",
  STOPPED: "bg-slate-100 text-slate-800 ring-slate-500/30 dark:bg-slate-800 dark:text-slate-200",
  ABORTING: "bg-red-100 text-red-900 ring-red-600/30 dark:bg-red-950 dark:text-red-200",
};

/** The state in words (never colour alone), with the running operation when there is one. */
export function StateBadge({ state, busy }: Pick<TContainerSummary, "state" | "busy">) {
  const t = useTranslations("containers");
  const label = busy ? t(`busy.${busy}`) : t(`states.${state}`);
  return (
    <span
      data-state={state}
      className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${
        busy
          ? "bg-amber-100 text-amber-900 ring-amber-600/30 dark:bg-amber-950 dark:text-amber-200"
          : (styles[state] ?? styles.STOPPED)
      }`}
    >
      {label}
    </span>
  );
}
