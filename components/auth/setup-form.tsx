"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useState, useSyncExternalStore, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ErrorAlert, useFieldError } from "@/components/ui/error-alert";
import { TextField } from "@/components/ui/text-field";

const subscribeToHash = (onChange: () => void) => {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
};
const tokenFromHash = () => new URLSearchParams(window.location.hash.slice(1)).get("token");

/** First run: create the first admin with the token of the setup link (kept in the URL's fragment, never sent in a GET). */
export function SetupForm() {
  const trpc = useTRPC();
  const t = useTranslations("auth.setup");
  const fieldError = useFieldError();
  const status = useQuery(trpc.auth.status.queryOptions());
  const token = useSyncExternalStore(subscribeToHash, tokenFromHash, () => null);
  const [username, setUsername] = useState("admin");
  const [password, setPassword] = useState("");
  const [repeated, setRepeated] = useState("");
  const [mismatch, setMismatch] = useState(false);
  const setup = useMutation(
    trpc.auth.setup.mutationOptions({ onSuccess: () => window.location.assign("/containers") }),
  );

  if (status.data && !status.data.isSetupRequired) {
    return (
      <p>
        {t.rich("alreadyDone", {
          link: (chunks) => (
            <Link href="/login" className="text-sky-700 underline dark:text-sky-400">
              {chunks}
            </Link>
          ),
        })}
      </p>
    );
  }
  if (token === null) {
    return (
      <div
        role="alert"
        className="rounded-md border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
      >
        {t.rich("noToken", { code: (chunks) => <code>{chunks}</code> })}
      </div>
    );
  }
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setMismatch(password !== repeated);
    if (password === repeated) setup.mutate({ token, username: username.trim().toLowerCase(), password });
  };
  const usernameError = fieldError(setup.error, "username");
  const passwordError = fieldError(setup.error, "password");
  return (
    <form
      onSubmit={onSubmit}
      className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900"
    >
      <TextField
        label={t("username")}
        name="username"
        autoComplete="username"
        value={username}
        onChange={(e) => setUsername(e.target.value)}
        error={usernameError}
      />
      <TextField
        label={t("password")}
        name="password"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={passwordError}
        help={t("passwordHelp")}
      />
      <TextField
        label={t("repeated")}
        name="repeated"
        type="password"
        autoComplete="new-password"
        value={repeated}
        onChange={(e) => setRepeated(e.target.value)}
        error={mismatch ? t("mismatch") : null}
      />
      {setup.isError && !usernameError && !passwordError && (
        <ErrorAlert error={setup.error} title={t("failed")} />
      )}
      <Button type="submit" variant="primary" isPending={setup.isPending}>
        {t("submit")}
      </Button>
    </form>
  );
}
