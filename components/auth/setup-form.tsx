"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState, useSyncExternalStore, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { fieldError, TextField } from "@/components/ui/text-field";

const subscribeToHash = (onChange: () => void) => {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
};
const tokenFromHash = () => new URLSearchParams(window.location.hash.slice(1)).get("token");

/** First run: create the first admin with the token of the setup link (kept in the URL's fragment, never sent in a GET). */
export function SetupForm() {
  const trpc = useTRPC();
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
        Atelier is already set up.{" "}
        <Link href="/login" className="text-sky-700 underline dark:text-sky-400">
          Sign in
        </Link>
      </p>
    );
  }
  if (token === null) {
    return (
      <div
        role="alert"
        className="rounded-md border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
      >
        Open the one-time setup link that Atelier printed in its log when it started (it ends in{" "}
        <code>#token=…</code>). Or create the first admin on the host:{" "}
        <code>npx atelier user add NAME --role admin</code>.
      </div>
    );
  }
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setMismatch(password !== repeated);
    if (password === repeated) setup.mutate({ token, username: username.trim().toLowerCase(), password });
  };
  return (
    <form
      onSubmit={onSubmit}
      className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900"
    >
      <TextField
        label="Admin username"
        name="username"
        autoComplete="username"
        value={username}
        onChange={(e) => setUsername(e.target.value)}
        error={fieldError(setup.error, "username")}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={fieldError(setup.error, "password")}
        help="At least 10 characters."
      />
      <TextField
        label="Password again"
        name="repeated"
        type="password"
        autoComplete="new-password"
        value={repeated}
        onChange={(e) => setRepeated(e.target.value)}
        error={mismatch ? "The two passwords differ" : null}
      />
      {setup.isError && !fieldError(setup.error, "username") && !fieldError(setup.error, "password") && (
        <ErrorAlert error={setup.error} title="Not set up" />
      )}
      <Button type="submit" variant="primary" isPending={setup.isPending}>
        Create admin and sign in
      </Button>
    </form>
  );
}
