"use client";

import { useTranslations } from "next-intl";
import type { TConfigProblem } from "@/server/schemas/lxc-config/validate";
import { useConfigWords } from "./problem-words";

/**
 * Problems the browser's own check found in a config, each with its line: errors in red, warnings (and fixable
 * legacy lines) in amber, in the page's language.
 */
export function ProblemList({
  problems,
  label,
  className = "",
}: {
  problems: readonly TConfigProblem[];
  label?: string;
  className?: string;
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
        </li>
      ))}
    </ul>
  );
}
