"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ErrorAlert, useFieldError } from "@/components/ui/error-alert";
import { TextField } from "@/components/ui/text-field";

export function ChangePasswordForm() {
  const trpc = useTRPC();
  const t = useTranslations("account.passwordForm");
  const fieldError = useFieldError();
  const queryClient = useQueryClient();
  const [currentPassword, setCurrent] = useState("");
  const [newPassword, setNext] = useState("");
  const change = useMutation(
    trpc.account.changePassword.mutationOptions({
      onSuccess: async () => {
        setCurrent("");
        setNext("");
        await queryClient.invalidateQueries(trpc.account.sessions.pathFilter());
      },
    }),
  );
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    change.mutate({ currentPassword, newPassword });
  };
  const currentError = fieldError(change.error, "currentPassword");
  const newError = fieldError(change.error, "newPassword");
  return (
    <form onSubmit={onSubmit} className="max-w-md space-y-3">
      <TextField
        label={t("current")}
        type="password"
        autoComplete="current-password"
        value={currentPassword}
        onChange={(e) => setCurrent(e.target.value)}
        error={currentError}
      />
      <TextField
        label={t("new")}
        type="password"
        autoComplete="new-password"
        value={newPassword}
        onChange={(e) => setNext(e.target.value)}
        error={newError}
        help={t("newHelp")}
      />
      {change.isError && !currentError && !newError && <ErrorAlert error={change.error} />}
      <p role="status" className="text-sm text-emerald-700 dark:text-emerald-300">
        {change.isSuccess ? t("changed") : ""}
      </p>
      <Button type="submit" variant="primary" isPending={change.isPending}>
        {t("submit")}
      </Button>
    </form>
  );
}
