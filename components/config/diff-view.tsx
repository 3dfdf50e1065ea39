/** A unified diff, each line marked added or removed in colour and in words (for screen readers). */
export function DiffView({ diff, label }: { diff: string; label: string }) {
  const lines = diff.split("\n").filter((line) => !line.startsWith("===") && !line.startsWith("Index:"));
  if (diff === "") return <p className="text-sm text-slate-600 dark:text-slate-300">No change.</p>;
  return (
    <pre
      aria-label={label}
      data-testid="config-diff"
      className="max-h-96 overflow-auto rounded-md border border-slate-200 bg-slate-50 p-2 font-mono text-xs dark:border-slate-700 dark:bg-slate-950"
    >
      {lines.map((line, index) => {
        const isFile = line.startsWith("+++") || line.startsWith("---");
        const kind = isFile ? "file" : line[0];
        const className =
          kind === "+"
            ? "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200"
            : kind === "-"
              ? "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200"
              : kind === "@"
                ? "text-sky-700 dark:text-sky-300"
                : "text-slate-600 dark:text-slate-400";
        return (
          <div key={index} className={className}>
            {kind === "+" && <span className="sr-only">added: </span>}
            {kind === "-" && <span className="sr-only">removed: </span>}
            {line || " "}
          </div>
        );
      })}
    </pre>
  );
}
