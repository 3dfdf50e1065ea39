import type { TGetConfigResponse } from "@/server/trpc/routers/config/config.types";

/**
 * The lines of a config only an admin may add or change (hooks, host paths, loosened confinement…), with why. An
 * operator may keep them as they are; a save that adds or alters one is refused by the server, naming the line.
 */
export function LockedLines({ config }: { config: TGetConfigResponse }) {
  const locked = config.entries.filter((entry) => entry.adminOnly !== null);
  if (config.canWriteAdminLines || locked.length === 0) return null;
  return (
    <details
      className="rounded border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-700 dark:bg-amber-950"
      data-testid="locked-lines"
    >
      <summary className="cursor-pointer font-medium">
        {locked.length} line{locked.length === 1 ? "" : "s"} only an admin may change
      </summary>
      <p className="mt-2 text-slate-700 dark:text-slate-200">
        You may keep these lines as they are. Adding, changing or removing protections among them needs the
        admin role, because each lets the container or its config act on the host.
      </p>
      <ul aria-label="Lines only an admin may change" className="mt-2 space-y-1">
        {locked.map((entry) => (
          <li key={entry.line}>
            <span aria-hidden="true">🔒 </span>
            Line {entry.line}: <code className="font-mono text-xs">{entry.key}</code> ({entry.adminOnly})
          </li>
        ))}
      </ul>
    </details>
  );
}
