"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { ModalDialog } from "@/components/ui/modal-dialog";
import { SelectField } from "@/components/ui/select-field";
import { TextField } from "@/components/ui/text-field";
import { changesOf, fieldsOf, readFields, type TBoardContainer, type TEditFields } from "./board-model";

/**
 * A container's autostart settings in a modal: its wait after starting (lxc.start.delay), groups (lxc.group), stop
 * timeout, and dependency ("start after A answers on TCP port N, or to ping, waiting at most S seconds"). Saved with
 * `autostart.set` (what changed) then `autostart.setDependency` (when it changed).
 */
export function AutostartEditDialog({
  container,
  others,
  bootGroups,
  onClose,
}: {
  container: TBoardContainer | null;
  /** The containers it may depend on. */
  others: readonly string[];
  bootGroups: string;
  onClose: () => void;
}) {
  const t = useTranslations("autostart.edit");
  const titleId = useId();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [fields, setFields] = useState<TEditFields | null>(null);
  const [isInvalid, setIsInvalid] = useState(false);
  const invalidate = () => queryClient.invalidateQueries(trpc.autostart.pathFilter());
  const set = useMutation(trpc.autostart.set.mutationOptions());
  const setDependency = useMutation(trpc.autostart.setDependency.mutationOptions());
  const current = fields ?? (container ? fieldsOf(container) : null);
  const change = (patch: Partial<TEditFields>) => current && setFields({ ...current, ...patch });
  const isPending = set.isPending || setDependency.isPending;

  return (
    <ModalDialog
      open={container !== null}
      labelledBy={titleId}
      width="lg"
      onCancel={onClose}
      onOpen={() => {
        setFields(null);
        setIsInvalid(false);
        set.reset();
        setDependency.reset();
      }}
    >
      {container && current && (
        <form
          className="space-y-4 p-5"
          onSubmit={async (event) => {
            event.preventDefault();
            const values = readFields(current);
            setIsInvalid(values === null);
            if (!values) return;
            const changes = changesOf(container, values);
            try {
              if (changes.set) await set.mutateAsync({ name: container.name, ...changes.set });
              if (changes.dependency !== undefined)
                await setDependency.mutateAsync({ name: container.name, dependency: changes.dependency });
              onClose();
            } catch {
              // Shown below by the mutation's error.
            } finally {
              await invalidate();
            }
          }}
        >
          <h2 id={titleId} className="text-lg font-semibold">
            {t("title", { name: container.name })}
          </h2>
          <div className="grid gap-3 sm:grid-cols-2">
            <TextField
              label={t("delay")}
              help={t("delayHelp")}
              inputMode="numeric"
              value={current.delay}
              onChange={(event) => change({ delay: event.target.value })}
            />
            <TextField
              label={t("stopTimeout")}
              help={t("stopTimeoutHelp")}
              inputMode="numeric"
              value={current.stopTimeout}
              onChange={(event) => change({ stopTimeout: event.target.value })}
            />
          </div>
          <TextField
            label={t("groups")}
            help={t("groupsHelp", { groups: bootGroups })}
            value={current.groups}
            onChange={(event) => change({ groups: event.target.value })}
          />
          <fieldset className="space-y-3 rounded-md border border-slate-200 p-3 dark:border-slate-700">
            <legend className="px-1 text-sm font-medium">{t("dependencyLegend")}</legend>
            <SelectField
              label={t("dependency")}
              value={current.after}
              onChange={(event) => change({ after: event.target.value })}
              options={[
                { value: "", label: t("dependencyNone") },
                ...others.map((name) => ({ value: name, label: t("dependencyAfter", { name }) })),
              ]}
            />
            {current.after !== "" && (
              <div className="grid gap-3 sm:grid-cols-3">
                <SelectField
                  label={t("probe")}
                  value={current.probe}
                  onChange={(event) => change({ probe: event.target.value === "ping" ? "ping" : "tcp" })}
                  options={[
                    { value: "tcp", label: t("probeTcp") },
                    { value: "ping", label: t("probePing") },
                  ]}
                />
                {current.probe === "tcp" && (
                  <TextField
                    label={t("port")}
                    inputMode="numeric"
                    value={current.port}
                    onChange={(event) => change({ port: event.target.value })}
                  />
                )}
                <TextField
                  label={t("timeout")}
                  inputMode="numeric"
                  value={current.timeout}
                  onChange={(event) => change({ timeout: event.target.value })}
                />
              </div>
            )}
            {current.after !== "" && (
              <p className="text-sm text-slate-600 dark:text-slate-300">{t("timeoutHelp")}</p>
            )}
          </fieldset>
          {isInvalid && (
            <p role="alert" className="text-sm text-red-700 dark:text-red-300">
              {t("invalid")}
            </p>
          )}
          {set.isError && <ErrorAlert error={set.error} />}
          {setDependency.isError && <ErrorAlert error={setDependency.error} />}
          <div className="flex justify-end gap-2">
            <Button onClick={onClose}>{t("cancel")}</Button>
            <Button type="submit" variant="primary" isPending={isPending}>
              {t("save")}
            </Button>
          </div>
        </form>
      )}
    </ModalDialog>
  );
}
