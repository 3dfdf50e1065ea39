import { useTranslations } from "next-intl";
import { diffLines, type TDiffLineKind } from "@/components/lib/diff";

const CLASSES: Record<TDiffLineKind, string> = {
  added: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200",
  removed: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200",
  hunk: "text-sky-700 dark:text-sky-300",
  file: "text-slate-600 dark:text-slate-400",
  context: "text-slate-600 dark:text-slate-400",
};

/** A unified diff, each line marked added or removed in colour and in words (for screen readers). */
export function DiffView({ diff, label }: { diff: string; label: string }) {
  const t = useTranslations("common.diff");
  if (diff === "") return <p className="text-sm text-slate-600 dark:text-slate-300">{t("noChange")}</p>;
  return (
    <pre
      aria-label={label}
      data-testid="config-diff"
      className="max-h-96 overflow-auto rounded-md border border-slate-200 bg-slate-50 p-2 font-mono text-xs dark:border-slate-700 dark:bg-slate-950"
    >
      {diffLines(diff).map((line, index) => (
        <div key={index} className={CLASSES[line.kind]}>
          {line.kind === "added" && <span className="sr-only">{t("added")} </span>}
          {line.kind === "removed" && <span className="sr-only">{t("removed")} </span>}
          {line.text || " "}
        </div>
      ))}
    </pre>
  );
}
