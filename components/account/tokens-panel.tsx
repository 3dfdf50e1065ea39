"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useSession } from "@/components/auth/use-session";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DataTable } from "@/components/ui/data-table";
import { ErrorAlert } from "@/components/ui/error-alert";
import { SelectField } from "@/components/ui/select-field";
import { fieldError, TextField } from "@/components/ui/text-field";
import type { TRole } from "@/server/trpc/routers/users/users.types";

const ROLES: TRole[] = ["viewer", "operator", "admin"];

export function TokensPanel({ isAllUsers = false }: { isAllUsers?: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { user, can } = useSession();
  const tokens = useQuery(trpc.tokens.list.queryOptions({ isAllUsers }));
  const refresh = () => queryClient.invalidateQueries(trpc.tokens.pathFilter());
  const [name, setName] = useState("");
  const [role, setRole] = useState<TRole>("viewer");
  const [expiresDays, setExpiresDays] = useState("90");
  const [revoking, setRevoking] = useState<{ id: number; name: string } | null>(null);
  const create = useMutation(trpc.tokens.create.mutationOptions({ onSettled: refresh }));
  const revoke = useMutation(trpc.tokens.revoke.mutationOptions({ onSettled: refresh }));

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ name, role, expiresDays: expiresDays ? Number(expiresDays) : undefined });
  };
  const allowedRoles = ROLES.filter((candidate) => can(candidate));

  return (
    <div className="space-y-4">
      {!isAllUsers && user && (
        <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3">
          <TextField
            label="Token name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={fieldError(create.error, "name")}
          />
          <SelectField
            label="Role"
            value={role}
            onChange={(e) => setRole(e.target.value as TRole)}
            options={allowedRoles}
          />
          <TextField
            label="Expires after (days, empty: never)"
            inputMode="numeric"
            value={expiresDays}
            onChange={(e) => setExpiresDays(e.target.value.replace(/\D/g, ""))}
            error={fieldError(create.error, "expiresDays")}
          />
          <Button type="submit" variant="primary" isPending={create.isPending}>
            Create token
          </Button>
        </form>
      )}
      {create.isError && !fieldError(create.error, "name") && !fieldError(create.error, "expiresDays") && (
        <ErrorAlert error={create.error} />
      )}
      {create.data && (
        <div
          role="status"
          className="space-y-1 rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm dark:border-emerald-800 dark:bg-emerald-950"
        >
          <p className="font-medium">Copy the new token now: it is not shown again.</p>
          <input
            readOnly
            aria-label="New token"
            value={create.data.token}
            onFocus={(e) => e.target.select()}
            className="w-full rounded border border-emerald-300 bg-white px-2 py-1 font-mono text-xs dark:bg-slate-900"
          />
          <p>
            Send it as <code>Authorization: Bearer …</code>.
          </p>
        </div>
      )}
      {tokens.isError && <ErrorAlert error={tokens.error} />}
      {revoke.isError && <ErrorAlert error={revoke.error} />}
      <DataTable
        caption="API tokens"
        columns={[
          "Name",
          ...(isAllUsers ? ["Owner"] : []),
          "Role",
          "Starts with",
          "Last used",
          "Expires",
          "",
        ]}
      >
        {(tokens.data ?? []).map((token) => (
          <tr
            key={token.id}
            data-token={token.name}
            className="border-t border-slate-100 dark:border-slate-800"
          >
            <td className="py-1.5 pr-4">{token.name}</td>
            {isAllUsers && <td className="py-1.5 pr-4">{token.owner}</td>}
            <td className="py-1.5 pr-4">{token.role}</td>
            <td className="py-1.5 pr-4 font-mono text-xs">{token.prefix}…</td>
            <td className="py-1.5 pr-4">{token.lastUsedAt?.toLocaleString() ?? "never"}</td>
            <td className="py-1.5 pr-4">{token.expiresAt?.toLocaleDateString() ?? "never"}</td>
            <td className="py-1.5">
              {token.revokedAt ? (
                <span className="text-slate-500 dark:text-slate-400">Revoked</span>
              ) : (
                <Button
                  size="sm"
                  variant="danger"
                  aria-label={`Revoke ${token.name}`}
                  onClick={() => setRevoking({ id: token.id, name: token.name })}
                >
                  Revoke
                </Button>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke ${revoking?.name ?? ""}?`}
        confirmLabel="Revoke"
        onCancel={() => setRevoking(null)}
        onConfirm={() => {
          if (revoking) revoke.mutate({ id: revoking.id });
          setRevoking(null);
        }}
      >
        <p>Scripts using this token stop working at once.</p>
      </ConfirmDialog>
    </div>
  );
}
