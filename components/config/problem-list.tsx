"use client";

import { useTranslations } from "next-intl";
import { Button } from "@/components/ui/button";
import type { TConfigProblem } from "@/server/schemas/lxc-config/validate";
import { useConfigWords } from "./problem-words";

/**
 * Problems the browser's own check found in a config, each with its line: errors in red, warnings (and fixable
 * legacy lines) in amber, in the page's language. Given `onFix`, a line the check knows how to rewrite (a legacy key,
 * the seed tutorial's lxc.onboot) gets its one-click fix: the line replaced by the check's replacement.
 */
export function ProblemList({
  problems,
  label,
  className = "",
  onFix,
}: {
  problems: readonly TConfigProblem[];
  label?: string;
  className?: string;
  onFix?: (problem: TConfigProblem) => void;
}) {
  const t = useTranslations("config.problems");
  const words = useConfigWords();
  return (
    <ul aria-label={label ?? t("label")} className={`space-y-1 text-sm ${className}`}>
      {problems.map((problem, index) => (
        <li
          key={index}
          className={
            problem.severity === "error" && problem.replacement === undefined
              ? "text-red-700 dark:text-red-300"
              : "text-amber-700 dark:text-amber-300"
          }
        >
          {t("line", { line: problem.line, message: words.problem(problem) })}
          {onFix && problem.replacement !== undefined && (
            <Button size="sm" className="ml-2" onClick={() => onFix(problem)}>
              {problem.replacement === "" ? t("remove") : t("replace", { replacement: problem.replacement })}
            </Button>
          )}
        </li>
      ))}
    </ul>
  );
}
