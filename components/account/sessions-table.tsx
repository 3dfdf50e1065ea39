"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { ErrorAlert } from "@/components/ui/error-alert";

const when = (date: Date) => date.toLocaleString();

export function SessionsTable() {
  const trpc = useTRPC();
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
      <DataTable caption="Your sessions" columns={["Browser", "Address", "Last active", "Ends", ""]}>
        {(sessions.data ?? []).map((session) => (
          <tr key={session.id} className="border-t border-slate-100 dark:border-slate-800">
            <td className="max-w-xs truncate py-1.5 pr-4" title={session.userAgent ?? ""}>
              {session.userAgent ?? "–"}
            </td>
            <td className="py-1.5 pr-4 font-mono text-xs">{session.clientAddress ?? "–"}</td>
            <td className="py-1.5 pr-4">{when(session.lastSeenAt)}</td>
            <td className="py-1.5 pr-4">{when(session.expiresAt)}</td>
            <td className="py-1.5">
              {session.isCurrent ? (
                <span className="text-slate-500 dark:text-slate-400">This session</span>
              ) : (
                <Button
                  size="sm"
                  isPending={revoke.isPending && revoke.variables.id === session.id}
                  onClick={() => revoke.mutate({ id: session.id })}
                >
                  End
                </Button>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
    </div>
  );
}
