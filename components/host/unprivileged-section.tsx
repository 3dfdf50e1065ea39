"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { useSession } from "@/components/auth/use-session";
import { useTRPC } from "@/components/trpc";
import { DataTable } from "@/components/ui/data-table";
import { ErrorAlert } from "@/components/ui/error-alert";
import { RANGE_SIZE } from "@/server/schemas/idmap";

// Marks beside words that say the same (never the only sign), the same in every language.
const FINE = "✓";
const TO_DO = "⚠";

const code = (chunks: ReactNode) => <code className="font-mono text-xs">{chunks}</code>;

/** A line to copy (a subid line, a command): its own block, selectable as a whole. */
function Line({ children }: { children: string }) {
  return (
    <pre className="mt-1 overflow-x-auto rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-950">
      {children}
    </pre>
  );
}

function Status({ isFine, children }: { isFine: boolean; children: ReactNode }) {
  return (
    <li className="flex gap-2">
      <span
        aria-hidden="true"
        className={isFine ? "text-emerald-700 dark:text-emerald-400" : "text-amber-700 dark:text-amber-300"}
      >
        {isFine ? FINE : TO_DO}
      </span>
      <div className="min-w-0">{children}</div>
    </li>
  );
}

/**
 * What this host offers unprivileged containers (containers.hostIsolation, for operators): Atelier's pool of host
 * ids, root's lines for it in /etc/subuid and /etc/subgid (with the line to add or the line in the way), whether the
 * kernel mounts the lxcpath's filesystem idmapped, and the directory container root cannot traverse, if any.
 */
export function UnprivilegedSection() {
  const t = useTranslations("host.isolation");
  const trpc = useTRPC();
  const session = useSession();
  const canRead = session.can("operator");
  const status = useQuery({
    ...trpc.containers.hostIsolation.queryOptions(),
    enabled: canRead,
    staleTime: 60_000,
  });
  if (!canRead) return null;
  return (
    <section aria-labelledby="unprivileged-heading" className="space-y-3">
      <h2 id="unprivileged-heading" className="text-lg font-semibold">
        {t("heading")}
      </h2>
      {status.isError && <ErrorAlert error={status.error} title={t("loadError")} />}
      {status.data && (
        <>
          <p className="text-sm">
            {t("byDefault", { isDefault: status.data.unprivilegedByDefault ? "yes" : "no" })}{" "}
            {t.rich("pool", {
              first: String(status.data.pool.first),
              last: String(status.data.pool.first + status.data.pool.slots * RANGE_SIZE - 1),
              slots: status.data.pool.slots,
              code,
            })}
          </p>
          <DataTable
            caption={t("subidsCaption")}
            columns={[t("columns.file"), t("columns.state"), t("columns.todo")]}
          >
            {status.data.subids.map((entry) => {
              const isFine = entry.state === "granted" || entry.state === "added";
              return (
                <tr key={entry.file} data-subid={entry.file} data-state={entry.state}>
                  <th scope="row" className="align-top font-mono text-xs font-medium">
                    {entry.file}
                  </th>
                  <td className="whitespace-nowrap align-top">
                    <span
                      aria-hidden="true"
                      className={
                        isFine
                          ? "text-emerald-700 dark:text-emerald-400"
                          : "text-amber-700 dark:text-amber-300"
                      }
                    >
                      {isFine ? FINE : TO_DO}{" "}
                    </span>
                    {t("state", { state: entry.state })}
                  </td>
                  <td className="align-top">
                    {isFine ? (
                      t("fine")
                    ) : (
                      <>
                        {entry.state === "conflict"
                          ? t.rich("conflict", { conflict: entry.conflict ?? "", code })
                          : t.rich("missing", { file: entry.file, code })}
                        <Line>{entry.line}</Line>
                        {entry.problem && (
                          <p className="mt-1">{t.rich("problem", { problem: entry.problem, code })}</p>
                        )}
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </DataTable>
          <ul className="space-y-2 text-sm">
            <Status isFine={status.data.idmappedRootfs.supported}>
              <p data-testid="idmapped-mounts">
                {t("idmapped", { supported: status.data.idmappedRootfs.supported ? "yes" : "no" })}
              </p>
              {status.data.method === "shift" && <p>{t("shiftAlways")}</p>}
              {status.data.idmappedRootfs.why && (
                <p>{t.rich("why", { why: status.data.idmappedRootfs.why, code })}</p>
              )}
            </Status>
            <Status isFine={status.data.lxcPathBlockedAt === null}>
              {status.data.lxcPathBlockedAt === null ? (
                <p>{t("lxcPathOpen")}</p>
              ) : (
                <>
                  <p>{t.rich("lxcPathBlocked", { dir: status.data.lxcPathBlockedAt, code })}</p>
                  <Line>{`chmod o+x ${status.data.lxcPathBlockedAt}`}</Line>
                </>
              )}
            </Status>
          </ul>
        </>
      )}
    </section>
  );
}
