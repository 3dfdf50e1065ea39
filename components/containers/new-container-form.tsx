"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { ZCreateContainerRequestSchema } from "@/server/trpc/routers/containers/create-container.types";

/** The form reuses the procedure's request schema: what it accepts is exactly what the API accepts. */
const ZFormSchema = ZCreateContainerRequestSchema;

export function NewContainerForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const nameId = useId();
  const nameErrorId = useId();
  const [name, setName] = useState("");
  const [nameError, setNameError] = useState<string | null>(null);

  const create = useMutation(
    trpc.containers.create.mutationOptions({
      onSuccess: async (created) => {
        await queryClient.invalidateQueries(trpc.containers.pathFilter());
        router.push(`/containers/${encodeURIComponent(created.name)}`);
      },
      onError: (error) => {
        if (
          error instanceof TRPCClientError &&
          (error.data as { field?: string } | undefined)?.field === "name"
        ) {
          setNameError(error.message.replace(/^name: /, ""));
        }
      },
    }),
  );

  const validateName = (value: string) => {
    const result = ZFormSchema.shape.name.safeParse(value);
    setNameError(result.success ? null : (result.error.issues[0]?.message ?? "Invalid name"));
    return result.success;
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!validateName(name)) return;
    create.mutate({ name, template: "busybox" });
  };

  const fieldError = nameError !== null;
  return (
    <form
      onSubmit={onSubmit}
      noValidate
      className="space-y-5 rounded-lg border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="space-y-1">
        <label htmlFor={nameId} className="block text-sm font-medium">
          Name
        </label>
        <input
          id={nameId}
          name="name"
          value={name}
          onChange={(event) => {
            setName(event.target.value);
            if (fieldError) validateName(event.target.value);
          }}
          onBlur={() => name && validateName(name)}
          aria-invalid={fieldError}
          aria-describedby={fieldError ? nameErrorId : `${nameId}-help`}
          autoComplete="off"
          spellCheck={false}
          required
          className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm aria-[invalid=true]:border-red-600 dark:border-slate-600 dark:bg-slate-800"
        />
        {fieldError ? (
          <p id={nameErrorId} className="text-sm text-red-700 dark:text-red-300">
            {nameError}
          </p>
        ) : (
          <p id={`${nameId}-help`} className="text-sm text-slate-500 dark:text-slate-400">
            Letters, digits, &apos;-&apos;, &apos;_&apos; and &apos;.&apos;; up to 63 characters.
          </p>
        )}
      </div>
      <fieldset className="space-y-1">
        <legend className="text-sm font-medium">Root filesystem</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name="template" value="busybox" checked readOnly />
          Busybox (a minimal system, ready in about a second)
        </label>
      </fieldset>
      {create.isError && !fieldError && (
        <ErrorAlert error={create.error} title="The container was not created" />
      )}
      <div className="flex gap-2">
        <Button type="submit" variant="primary" isPending={create.isPending}>
          {create.isPending ? "Creating…" : "Create container"}
        </Button>
        <Button onClick={() => router.push("/containers")} disabled={create.isPending}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
