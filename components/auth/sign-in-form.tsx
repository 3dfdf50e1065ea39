"use client";

import { useMutation } from "@tanstack/react-query";
import { useSearchParams } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ErrorAlert, useFieldError } from "@/components/ui/error-alert";
import { TextField } from "@/components/ui/text-field";
import { safeNext } from "./safe-next";

export function SignInForm() {
  const trpc = useTRPC();
  const t = useTranslations("auth.signIn");
  const fieldError = useFieldError();
  const next = safeNext(useSearchParams().get("next"));
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const signIn = useMutation(
    // A full page load, so that every query starts again as the signed-in user.
    trpc.auth.signIn.mutationOptions({ onSuccess: () => window.location.assign(next) }),
  );
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate({ username: username.trim().toLowerCase(), password });
  };
  const usernameError = fieldError(signIn.error, "username");
  return (
    <form
      onSubmit={onSubmit}
      className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900"
    >
      <TextField
        label={t("username")}
        name="username"
        autoComplete="username"
        autoFocus
        required
        value={username}
        onChange={(e) => setUsername(e.target.value)}
        error={usernameError}
      />
      <TextField
        label={t("password")}
        name="password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      {signIn.isError && !usernameError && <ErrorAlert error={signIn.error} title={t("failed")} />}
      <Button type="submit" variant="primary" isPending={signIn.isPending}>
        {t("submit")}
      </Button>
    </form>
  );
}
