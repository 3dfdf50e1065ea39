"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { ImportPanel } from "@/components/config/import-panel";
import { migrateLegacy, validateConfig } from "@/server/lxc-config/validate";
import { ZCreateContainerRequestSchema } from "@/server/trpc/routers/containers/create-container.types";
import { ProblemList } from "@/components/config/problem-list";

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
  const [source, setSource] = useState<"busybox" | "import">("busybox");
  const [imported, setImported] = useState<string | null>(null);
  const importedProblems = imported === null ? [] : validateConfig(imported);

  const onCreated = async () => {
    await queryClient.invalidateQueries(trpc.containers.pathFilter());
    router.push(`/containers/${encodeURIComponent(name)}`);
  };
  const importAsNew = useMutation(trpc.config.importAsNew.mutationOptions({ onSuccess: onCreated }));
  const create = useMutation(
    trpc.containers.create.mutationOptions({
      onSuccess: onCreated,
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
    if (source === "import" && imported !== null) importAsNew.mutate({ name, raw: imported });
    else create.mutate({ name, template: "busybox" });
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
          <input
            type="radio"
            name="source"
            value="busybox"
            checked={source === "busybox"}
            onChange={() => setSource("busybox")}
          />
          Busybox (a minimal system, ready in about a second)
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="radio"
            name="source"
            value="import"
            checked={source === "import"}
            onChange={() => setSource("import")}
          />
          Busybox with an imported config
        </label>
        <p className="pl-6 text-xs text-slate-500 dark:text-slate-400">
          The imported config&apos;s root filesystem and host are replaced by the new container&apos;s own.
        </p>
      </fieldset>
      {source === "import" && imported === null && (
        <ImportPanel onLoad={setImported} onClose={() => setSource("busybox")} />
      )}
      {source === "import" && imported !== null && (
        <div className="space-y-2 rounded-md border border-slate-200 p-3 text-sm dark:border-slate-700">
          <p data-testid="imported-summary">
            Config loaded: {imported.split("\n").length} lines,{" "}
            {importedProblems.filter((problem) => problem.severity === "error").length} error(s).
          </p>
          <ProblemList problems={importedProblems} label="Problems of the imported config" />
          <div className="flex gap-2">
            {importedProblems.some((problem) => problem.replacement !== undefined) && (
              <Button size="sm" onClick={() => setImported(migrateLegacy(imported))}>
                Migrate legacy keys
              </Button>
            )}
            <Button size="sm" onClick={() => setImported(null)}>
              Choose another config
            </Button>
          </div>
        </div>
      )}
      {importAsNew.isError && <ErrorAlert error={importAsNew.error} title="The container was not created" />}
      {create.isError && !fieldError && (
        <ErrorAlert error={create.error} title="The container was not created" />
      )}
      <div className="flex gap-2">
        <Button
          type="submit"
          variant="primary"
          isPending={create.isPending || importAsNew.isPending}
          disabled={source === "import" && imported === null}
        >
          {create.isPending || importAsNew.isPending ? "Creating…" : "Create container"}
        </Button>
        <Button onClick={() => router.push("/containers")} disabled={create.isPending}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
