import { useTranslations } from "next-intl";
import type { TServiceState } from "@/server/schemas/services";

const styles: Record<TServiceState, string> = {
  running: "bg-emerald-100 text-emerald-900 ring-emerald-600/30 dark:bg-emerald-950 dark:text-emerald-200",
  stopped: "bg-slate-100 text-slate-800 ring-slate-500/30 dark:bg-slate-800 dark:text-slate-200",
  failed: "bg-red-100 text-red-900 ring-red-600/30 dark:bg-red-950 dark:text-red-200",
  unknown: "bg-amber-100 text-amber-900 ring-amber-600/30 dark:bg-amber-950 dark:text-amber-200",
};

/** A service's state in words (never colour alone). */
export function ServiceStateBadge({ state }: { state: TServiceState }) {
  const t = useTranslations("services.states");
  return (
    <span
      data-state={state}
      className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${styles[state]}`}
    >
      {t(state)}
    </span>
  );
}
