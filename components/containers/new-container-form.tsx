"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useId, useState, useSyncExternalStore, type FormEvent } from "react";
import { useSession } from "@/components/auth/use-session";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ErrorAlert, useDescribeError, useFieldError } from "@/components/ui/error-alert";
import { useValidationWords } from "@/components/i18n/use-validation-words";
import { ImportPanel } from "@/components/config/import-panel";
import { migrateLegacy, validateConfig } from "@/server/schemas/lxc-config/validate";
import { ZCreateContainerRequestSchema, ZCreateForm } from "@/server/schemas/create-container";
import { ProblemList } from "@/components/config/problem-list";
import { JobProgress } from "@/components/jobs/job-progress";
import { SelectField } from "@/components/ui/select-field";
import { TextField } from "@/components/ui/text-field";
import { CreationSections } from "./creation-sections";
import {
  emptyDraft,
  errorsOf,
  fromForm,
  summaryValues,
  toForm,
  updateDraft,
  type TDraft,
} from "./creation-sections-draft";

/**
 * The creation wizard: name, root filesystem (busybox, busybox with an imported config, Debian, a tarball, a clone),
 * privileged or not (an admin's choice), network, limits, autostart, access, and a summary of the config lines it adds. It reuses the procedure's request
 * schema, so its field errors are exactly the API's. Creating starts a job whose progress shows here; when it is
 * done, the container's page opens. A form can be saved as a type, and a type chosen to fill the form.
 */
const ZFormSchema = ZCreateContainerRequestSchema;

const subscribeNothing = () => () => undefined;

export function NewContainerForm() {
  const isHydrated = useSyncExternalStore(
    subscribeNothing,
    () => true,
    () => false,
  );
  const t = useTranslations("creation");
  const describeError = useDescribeError();
  const fieldErrorOf = useFieldError();
  const validationWords = useValidationWords();
  // The schema's issues in the page's language (each names its sentence in the `validation` catalogue).
  const wordedIssues = (issues: readonly { path: PropertyKey[]; message: string; params?: unknown }[]) =>
    issues.map((issue) => ({ path: issue.path, message: validationWords.issue(issue) }));
  const trpc = useTRPC();
  const session = useSession();
  const queryClient = useQueryClient();
  const router = useRouter();
  const nameId = useId();
  const nameErrorId = useId();
  const [name, setName] = useState("");
  const [nameError, setNameError] = useState<string | null>(null);
  const [draft, setDraft] = useState<TDraft>(emptyDraft);
  const set = (change: Partial<TDraft>) => setDraft((current) => updateDraft(current, change));
  const source = draft.kind;
  const setSource = (kind: "busybox" | "import") => set({ kind });
  const [imported, setImported] = useState<string | null>(null);
  const importedProblems = imported === null ? [] : validateConfig(imported);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [jobId, setJobId] = useState<string | null>(null);
  const [typeName, setTypeName] = useState("");
  const network = useQuery(trpc.network.list.queryOptions());
  const containers = useQuery(trpc.containers.list.queryOptions(undefined));
  const types = useQuery(trpc.types.list.queryOptions());
  // Privileged is an admin's choice; unchosen, the host's default (ATELIER_UNPRIVILEGED), which an operator's
  // containers never follow: theirs are always unprivileged.
  const isAdmin = session.can("admin");
  const hostIsolation = useQuery({ ...trpc.containers.hostIsolation.queryOptions(), staleTime: 60_000 });
  const privilegedByDefault = hostIsolation.data ? !hostIsolation.data.unprivilegedByDefault : null;
  const privileged = isAdmin ? (draft.privileged ?? privilegedByDefault) : false;
  const chosen: TDraft = { ...draft, privileged };
  const form = toForm(chosen);
  // Without the access part: a query's input travels in the URL, a root password must not.
  const { access: _access, ...previewForm } = form;
  const preview = useQuery({
    ...trpc.provision.preview.queryOptions(previewForm),
    enabled: draft.kind !== "import" && ZCreateForm.safeParse(form).success,
  });
  const saveType = useMutation(
    trpc.types.save.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries(trpc.types.pathFilter()),
    }),
  );

  const onCreated = async () => {
    await queryClient.invalidateQueries(trpc.containers.pathFilter());
    router.push(`/containers/${encodeURIComponent(name)}`);
  };
  const importAsNew = useMutation(trpc.config.importAsNew.mutationOptions({ onSuccess: onCreated }));
  const create = useMutation(
    trpc.containers.create.mutationOptions({
      onSuccess: (data) => setJobId(data.jobId),
      onError: (error) => {
        const field =
          error instanceof TRPCClientError
            ? (error.data as { field?: string } | undefined)?.field
            : undefined;
        // In the page's language when the server names its sentence (useFieldError), else the server's English.
        const { hint } = describeError(error);
        const message = field ? fieldErrorOf(error, field) : null;
        if (field === "name") setNameError(`${message ?? ""}${hint ? ` ${hint}` : ""}`);
        else if (field && message !== null) setErrors({ [field]: message });
      },
    }),
  );

  const validateName = (value: string) => {
    const result = ZFormSchema.shape.name.safeParse(value);
    const [issue] = result.error?.issues ?? [];
    setNameError(result.success ? null : issue ? validationWords.issue(issue) : t("name.invalid"));
    return result.success;
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!validateName(name)) return;
    if (source === "import") {
      if (imported !== null) importAsNew.mutate({ name, raw: imported });
      return;
    }
    const checked = ZFormSchema.safeParse({ name, ...form });
    if (!checked.success) {
      setErrors(errorsOf(wordedIssues(checked.error.issues)));
      return;
    }
    setErrors({});
    create.mutate({ name, ...form });
  };

  const fieldError = nameError !== null;
  // Rendered only once hydrated: what is typed before React takes over the page would otherwise be lost.
  if (!isHydrated)
    return (
      <p role="status" className="flex items-center gap-2">
        {t("loading")}
      </p>
    );
  return (
    <form
      onSubmit={onSubmit}
      noValidate
      className="space-y-5 rounded-lg border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="space-y-1">
        <label htmlFor={nameId} className="block text-sm font-medium">
          {t("name.label")}
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
          <p id={nameErrorId} role="alert" className="text-sm text-red-700 dark:text-red-300">
            {nameError}
          </p>
        ) : (
          <p id={`${nameId}-help`} className="text-sm text-slate-500 dark:text-slate-400">
            {t("name.help")}
          </p>
        )}
      </div>
      {(types.data?.length ?? 0) > 0 && (
        <SelectField
          label={t("types.startFrom")}
          value=""
          options={[{ value: "", label: t("types.choose") }, ...(types.data ?? []).map((type) => type.name)]}
          onChange={(event) => {
            const type = types.data?.find((entry) => entry.name === event.target.value);
            if (type) setDraft(fromForm(type.form as Record<string, unknown>));
          }}
        />
      )}
      <CreationSections
        draft={draft}
        set={set}
        errors={errors}
        bridges={network.data?.bridges.map((bridge) => bridge.name) ?? []}
        containers={containers.data ?? []}
        isAdmin={isAdmin}
        isPrivileged={privileged === true}
        rootfsChoices={
          <label className="flex items-start gap-2 text-sm">
            <input
              type="radio"
              name="rootfs-kind"
              value="import"
              checked={source === "import"}
              onChange={() => setSource("import")}
              className="mt-1"
            />
            <span>
              {t("rootfs.import")}
              <span className="block text-xs text-slate-500 dark:text-slate-400">
                {t("rootfs.importHelp")}
              </span>
            </span>
          </label>
        }
      />
      {source === "import" && imported === null && (
        <ImportPanel onLoad={setImported} onClose={() => setSource("busybox")} />
      )}
      {source === "import" && imported !== null && (
        <div className="space-y-2 rounded-md border border-slate-200 p-3 text-sm dark:border-slate-700">
          <p data-testid="imported-summary">
            {t("imported.summary", {
              lines: imported.split("\n").length,
              errors: importedProblems.filter((problem) => problem.severity === "error").length,
            })}
          </p>
          <ProblemList problems={importedProblems} label={t("imported.problems")} />
          <div className="flex gap-2">
            {importedProblems.some((problem) => problem.replacement !== undefined) && (
              <Button size="sm" onClick={() => setImported(migrateLegacy(imported))}>
                {t("imported.migrate")}
              </Button>
            )}
            <Button size="sm" onClick={() => setImported(null)}>
              {t("imported.another")}
            </Button>
          </div>
        </div>
      )}
      {source !== "import" && (
        <section aria-labelledby="summary-heading" className="space-y-2">
          <h2 id="summary-heading" className="text-sm font-semibold">
            {t("summary.heading")}
          </h2>
          <p className="text-sm">{t("summary.sentence", summaryValues(name, chosen))}</p>
          {preview.data && preview.data.added.length > 0 && (
            <pre
              data-testid="config-summary"
              aria-label={t("summary.added")}
              className="overflow-x-auto rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-950"
            >
              {preview.data.added.join("\n")}
            </pre>
          )}
          {preview.data && (
            <details>
              <summary className="cursor-pointer text-sm">
                {preview.data.base
                  ? t("summary.wholeConfigOf", { base: preview.data.base })
                  : t("summary.wholeConfig")}
              </summary>
              <pre className="overflow-x-auto rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-950">
                {preview.data.config}
              </pre>
            </details>
          )}
        </section>
      )}
      {jobId && (
        <JobProgress
          id={jobId}
          canCancel
          onFinished={(state) => {
            if (state === "succeeded") void onCreated();
          }}
        />
      )}
      {importAsNew.isError && <ErrorAlert error={importAsNew.error} title={t("notCreated")} />}
      {create.isError && !fieldError && <ErrorAlert error={create.error} title={t("notCreated")} />}
      <div className="flex gap-2">
        <Button
          type="submit"
          variant="primary"
          isPending={create.isPending || importAsNew.isPending}
          disabled={(source === "import" && imported === null) || (jobId !== null && !create.isError)}
        >
          {create.isPending || importAsNew.isPending ? t("creating") : t("create")}
        </Button>
        <Button onClick={() => router.push("/containers")} disabled={create.isPending}>
          {t("cancel")}
        </Button>
      </div>
      {source !== "import" && (
        <div className="flex flex-wrap items-end gap-2 border-t border-slate-200 pt-4 dark:border-slate-700">
          <TextField
            label={t("types.saveAs")}
            value={typeName}
            onChange={(event) => setTypeName(event.target.value)}
            className="w-64"
          />
          <Button
            isPending={saveType.isPending}
            disabled={!typeName.trim()}
            onClick={() => {
              const checked = ZCreateForm.safeParse(form);
              if (!checked.success) {
                setErrors(errorsOf(wordedIssues(checked.error.issues)));
                return;
              }
              saveType.mutate({ name: typeName.trim(), form });
            }}
          >
            {t("types.save")}
          </Button>
          {saveType.isSuccess && (
            <p role="status" className="text-sm">
              {t(draft.rootPassword ? "types.savedWithoutPassword" : "types.saved", {
                name: saveType.variables.name,
              })}
            </p>
          )}
          {saveType.isError && <ErrorAlert error={saveType.error} title={t("types.notSaved")} />}
        </div>
      )}
    </form>
  );
}
