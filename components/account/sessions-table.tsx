"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useFormat } from "@/components/i18n/use-format";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { ErrorAlert } from "@/components/ui/error-alert";

export function SessionsTable() {
  const trpc = useTRPC();
  const t = useTranslations("account.sessionList");
  const f = useFormat();
  const queryClient = useQueryClient();
  const sessions = useQuery(trpc.account.sessions.queryOptions());
  const revoke = useMutation(
    trpc.account.revokeSession.mutationOptions({
      onSettled: () => queryClient.invalidateQueries(trpc.account.sessions.pathFilter()),
    }),
  );
  if (sessions.isError) return <ErrorAlert error={sessions.error} />;
  return (
    <div className="space-y-2">
      {revoke.isError && <ErrorAlert error={revoke.error} />}
      <DataTable
        caption={t("caption")}
        columns={[t("browser"), t("address"), t("lastActive"), t("ends"), ""]}
      >
        {(sessions.data ?? []).map((session) => (
          <tr key={session.id} className="border-t border-slate-100 dark:border-slate-800">
            <td className="max-w-xs truncate py-1.5 pr-4" title={session.userAgent ?? ""}>
              {session.userAgent ?? "–"}
            </td>
            <td className="py-1.5 pr-4 font-mono text-xs">{session.clientAddress ?? "–"}</td>
            <td className="py-1.5 pr-4">{f.dateTime(session.lastSeenAt)}</td>
            <td className="py-1.5 pr-4">{f.dateTime(session.expiresAt)}</td>
            <td className="py-1.5">
              {session.isCurrent ? (
                <span className="text-slate-500 dark:text-slate-400">{t("current")}</span>
              ) : (
                <Button
                  size="sm"
                  isPending={revoke.isPending && revoke.variables.id === session.id}
                  onClick={() => revoke.mutate({ id: session.id })}
                >
                  {t("end")}
                </Button>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
    </div>
  );
}
