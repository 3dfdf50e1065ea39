import type { TConfigProblem } from "@/server/schemas/lxc-config/validate";

/** Problems of a config, each with its line: errors in red, warnings (and fixable legacy lines) in amber. */
export function ProblemList({
  problems,
  label = "Problems",
  className = "",
}: {
  problems: readonly TConfigProblem[];
  label?: string;
  className?: string;
}) {
  return (
    <ul aria-label={label} className={`space-y-1 text-sm ${className}`}>
      {problems.map((problem, index) => (
        <li
          key={index}
          className={
            problem.severity === "error" && problem.replacement === undefined
              ? "text-red-700 dark:text-red-300"
              : "text-amber-700 dark:text-amber-300"
          }
        >
          Line {problem.line}: {problem.message}
        </li>
      ))}
    </ul>
  );
}
