"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { useSession } from "@/components/auth/use-session";
import { useFormat } from "@/components/i18n/use-format";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DataTable } from "@/components/ui/data-table";
import { ErrorAlert, useFieldError } from "@/components/ui/error-alert";
import { SelectField } from "@/components/ui/select-field";
import { TextField } from "@/components/ui/text-field";
import type { TRole } from "@/server/trpc/routers/users/users.types";

const ROLES: TRole[] = ["viewer", "operator", "admin"];

export function TokensPanel({ isAllUsers = false }: { isAllUsers?: boolean }) {
  const trpc = useTRPC();
  const t = useTranslations("account.tokenList");
  const roles = useTranslations("common.roles");
  const common = useTranslations("common");
  const f = useFormat();
  const fieldError = useFieldError();
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
  const nameError = fieldError(create.error, "name");
  const expiresError = fieldError(create.error, "expiresDays");

  return (
    <div className="space-y-4">
      {!isAllUsers && user && (
        <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3">
          <TextField
            label={t("name")}
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={nameError}
          />
          <SelectField
            label={t("role")}
            value={role}
            onChange={(e) => setRole(e.target.value as TRole)}
            options={allowedRoles.map((value) => ({ value, label: roles(value) }))}
          />
          <TextField
            label={t("expiresDays")}
            inputMode="numeric"
            value={expiresDays}
            onChange={(e) => setExpiresDays(e.target.value.replace(/\D/g, ""))}
            error={expiresError}
          />
          <Button type="submit" variant="primary" isPending={create.isPending}>
            {t("create")}
          </Button>
        </form>
      )}
      {create.isError && !nameError && !expiresError && <ErrorAlert error={create.error} />}
      {create.data && (
        <div
          role="status"
          className="space-y-1 rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm dark:border-emerald-800 dark:bg-emerald-950"
        >
          <p className="font-medium">{t("copyNow")}</p>
          <input
            readOnly
            aria-label={t("newToken")}
            value={create.data.token}
            onFocus={(e) => e.target.select()}
            className="w-full rounded border border-emerald-300 bg-white px-2 py-1 font-mono text-xs dark:bg-slate-900"
          />
          <p>{t.rich("howToSend", { code: (chunks) => <code>{chunks}</code> })}</p>
        </div>
      )}
      {tokens.isError && <ErrorAlert error={tokens.error} />}
      {revoke.isError && <ErrorAlert error={revoke.error} />}
      <DataTable
        caption={t("caption")}
        columns={[
          t("columns.name"),
          ...(isAllUsers ? [t("columns.owner")] : []),
          t("columns.role"),
          t("columns.prefix"),
          t("columns.lastUsed"),
          t("columns.expires"),
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
            <td className="py-1.5 pr-4">{roles(token.role)}</td>
            <td className="py-1.5 pr-4 font-mono text-xs">{token.prefix}…</td>
            <td className="py-1.5 pr-4">
              {token.lastUsedAt ? f.dateTime(token.lastUsedAt) : common("never")}
            </td>
            <td className="py-1.5 pr-4">{token.expiresAt ? f.date(token.expiresAt) : common("never")}</td>
            <td className="py-1.5">
              {token.revokedAt ? (
                <span className="text-slate-500 dark:text-slate-400">{t("revoked")}</span>
              ) : (
                <Button
                  size="sm"
                  variant="danger"
                  aria-label={t("revokeOne", { name: token.name })}
                  onClick={() => setRevoking({ id: token.id, name: token.name })}
                >
                  {t("revoke")}
                </Button>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      <ConfirmDialog
        open={revoking !== null}
        title={t("confirmTitle", { name: revoking?.name ?? "" })}
        confirmLabel={t("revoke")}
        onCancel={() => setRevoking(null)}
        onConfirm={() => {
          if (revoking) revoke.mutate({ id: revoking.id });
          setRevoking(null);
        }}
      >
        <p>{t("confirmBody")}</p>
      </ConfirmDialog>
    </div>
  );
}
