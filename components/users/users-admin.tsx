"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DataTable } from "@/components/ui/data-table";
import { ErrorAlert, useFieldError } from "@/components/ui/error-alert";
import { SelectField } from "@/components/ui/select-field";
import { TextField } from "@/components/ui/text-field";
import type { TRole } from "@/server/trpc/routers/users/users.types";

const ROLES: TRole[] = ["viewer", "operator", "admin"];
const selectClass =
  "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-600 dark:bg-slate-800";

export function UsersAdmin() {
  const trpc = useTRPC();
  const t = useTranslations("users");
  const roles = useTranslations("common.roles");
  const fieldError = useFieldError();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.users.list.queryOptions());
  const onSettled = () => queryClient.invalidateQueries(trpc.users.pathFilter());
  const create = useMutation(trpc.users.create.mutationOptions({ onSettled }));
  const setRole = useMutation(trpc.users.setRole.mutationOptions({ onSettled }));
  const setDisabled = useMutation(trpc.users.setDisabled.mutationOptions({ onSettled }));
  const resetPassword = useMutation(trpc.users.resetPassword.mutationOptions({ onSettled }));
  const [username, setUsername] = useState("");
  const [role, setNewRole] = useState<TRole>("viewer");
  const [password, setPassword] = useState("");
  const [disabling, setDisabling] = useState<{ id: number; username: string } | null>(null);
  const [resetting, setResetting] = useState<{ id: number; username: string } | null>(null);
  const [resetTo, setResetTo] = useState("");

  const onCreate = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { username: username.trim().toLowerCase(), role, password },
      { onSuccess: () => (setUsername(""), setPassword("")) },
    );
  };
  const failed = [setRole, setDisabled, resetPassword].find((mutation) => mutation.isError);
  const usernameError = fieldError(create.error, "username");
  const passwordError = fieldError(create.error, "password");

  return (
    <div className="space-y-6">
      <form
        onSubmit={onCreate}
        aria-label={t("add.label")}
        className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
      >
        <TextField
          label={t("add.username")}
          autoComplete="off"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          error={usernameError}
        />
        <SelectField
          label={t("add.role")}
          value={role}
          onChange={(e) => setNewRole(e.target.value as TRole)}
          options={ROLES.map((value) => ({ value, label: roles(value) }))}
        />
        <TextField
          label={t("add.password")}
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={passwordError}
        />
        <Button type="submit" variant="primary" isPending={create.isPending}>
          {t("add.submit")}
        </Button>
      </form>
      {create.isError && !usernameError && !passwordError && <ErrorAlert error={create.error} />}
      {failed && <ErrorAlert error={failed.error} />}
      {users.isError && <ErrorAlert error={users.error} />}
      <DataTable
        caption={t("table.caption")}
        columns={[t("table.username"), t("table.role"), t("table.status"), ""]}
      >
        {(users.data ?? []).map((user) => (
          <tr
            key={user.id}
            data-user={user.username}
            className="border-t border-slate-100 dark:border-slate-800"
          >
            <th scope="row" className="py-2 pr-4 font-medium">
              {user.username}
            </th>
            <td className="py-2 pr-4">
              <select
                aria-label={t("table.roleOf", { username: user.username })}
                className={selectClass}
                value={user.role}
                onChange={(e) => setRole.mutate({ id: user.id, role: e.target.value as TRole })}
              >
                {ROLES.map((candidate) => (
                  <option key={candidate} value={candidate}>
                    {roles(candidate)}
                  </option>
                ))}
              </select>
            </td>
            <td className="py-2 pr-4">{user.disabled ? t("table.disabled") : t("table.active")}</td>
            <td className="flex gap-2 py-2">
              {user.disabled ? (
                <Button size="sm" onClick={() => setDisabled.mutate({ id: user.id, disabled: false })}>
                  {t("table.enable")}
                </Button>
              ) : (
                <Button size="sm" variant="danger" onClick={() => setDisabling(user)}>
                  {t("table.disable")}
                </Button>
              )}
              <Button size="sm" onClick={() => (setResetTo(""), setResetting(user))}>
                {t("table.resetPassword")}
              </Button>
            </td>
          </tr>
        ))}
      </DataTable>
      <ConfirmDialog
        open={disabling !== null}
        title={t("disable.title", { username: disabling?.username ?? "" })}
        confirmLabel={t("disable.confirm")}
        onCancel={() => setDisabling(null)}
        onConfirm={() => {
          if (disabling) setDisabled.mutate({ id: disabling.id, disabled: true });
          setDisabling(null);
        }}
      >
        <p>{t("disable.body")}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={resetting !== null}
        title={t("reset.title", { username: resetting?.username ?? "" })}
        confirmLabel={t("reset.confirm")}
        onCancel={() => setResetting(null)}
        onConfirm={() => {
          if (resetting) resetPassword.mutate({ id: resetting.id, password: resetTo });
          setResetting(null);
        }}
      >
        <TextField
          label={t("reset.password")}
          type="password"
          autoComplete="new-password"
          value={resetTo}
          onChange={(e) => setResetTo(e.target.value)}
          help={t("reset.help")}
        />
      </ConfirmDialog>
    </div>
  );
}
