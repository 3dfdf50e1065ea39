"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useTRPC, useTRPCClient } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DataTable } from "@/components/ui/data-table";
import { ErrorAlert } from "@/components/ui/error-alert";
import { TextField } from "@/components/ui/text-field";
import type { TService, TServiceAction, TServiceManager } from "@/server/schemas/services";
import { ServiceStateBadge } from "./service-state-badge";

/** Actions that take something away: asked first. */
const CONFIRMED: readonly TServiceAction[] = ["stop", "restart", "disable"];

type TAsk = { action: TServiceAction; service: string };
type TOutcome = TAsk & { ok: boolean; output: string };

/** What a row offers, by manager and state: busybox init starts and stops nothing on demand. */
const actionsFor = (manager: TServiceManager | null, service: TService): TServiceAction[] => {
  if (manager === null) return [];
  const actions: TServiceAction[] = [];
  if (manager !== "busybox") {
    actions.push(service.state === "running" ? "stop" : "start");
    if (service.state === "running") actions.push("restart");
  }
  if (service.enabled !== null) actions.push(service.enabled ? "disable" : "enable");
  return actions;
};

/**
 * A container's services (the services router): each one's state and whether it starts at boot, a filter, and for
 * operators and admins start, stop, restart, enable and disable (what takes something away asked first). The
 * outcome is said in words and announced (a live region); what the guest's tool said when it refused is shown.
 */
export function ServicesPanel({
  name,
  isRunning,
  stateLabel,
  canChange,
}: {
  name: string;
  isRunning: boolean;
  /** The container's state in words, when it is not running. */
  stateLabel: string;
  canChange: boolean;
}) {
  const t = useTranslations("services");
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const list = useQuery({ ...trpc.services.list.queryOptions({ name }), enabled: isRunning });
  const [filter, setFilter] = useState("");
  const [ask, setAsk] = useState<TAsk | null>(null);
  const [outcome, setOutcome] = useState<TOutcome | null>(null);
  const act = useMutation({
    mutationFn: ({ action, service }: TAsk) => client.services[action].mutate({ name, service }),
    onMutate: () => setOutcome(null),
    onSuccess: (result, asked) => setOutcome({ ...asked, ...result }),
    onSettled: () => void queryClient.invalidateQueries(trpc.services.list.queryFilter({ name })),
  });

  const run = (asked: TAsk) => {
    if (CONFIRMED.includes(asked.action)) setAsk(asked);
    else act.mutate(asked);
  };

  if (!isRunning)
    return (
      <section aria-labelledby="services-heading" className="space-y-3">
        <h2 id="services-heading" className="text-lg font-semibold">
          {t("heading")}
        </h2>
        <p className="text-sm text-slate-700 dark:text-slate-300" data-testid="services-stopped">
          {stateLabel === "" ? t("stopped", { name }) : t("notRunning", { name, state: stateLabel })}
        </p>
      </section>
    );

  const needle = filter.trim().toLowerCase();
  const services = list.data?.services ?? [];
  const shown = needle
    ? services.filter(
        (service) =>
          service.name.toLowerCase().includes(needle) || service.description.toLowerCase().includes(needle),
      )
    : services;
  const manager = list.data?.manager ?? null;
  const pending = act.isPending ? act.variables : null;

  return (
    <section aria-labelledby="services-heading" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="services-heading" className="text-lg font-semibold">
          {t("heading")}
        </h2>
        <Button size="sm" onClick={() => void list.refetch()} isPending={list.isFetching}>
          {t("refresh")}
        </Button>
      </div>
      <p className="text-sm text-slate-600 dark:text-slate-300">{t("intro", { name })}</p>
      {!canChange && <p className="text-sm text-slate-600 dark:text-slate-300">{t("readOnly")}</p>}

      {/* Results and progress, announced to screen readers as they come. */}
      <div role="status" aria-live="polite" className="text-sm" data-testid="services-status">
        {pending && <p>{t("working", { action: pending.action, service: pending.service })}</p>}
        {outcome?.ok && (
          <p className="text-emerald-800 dark:text-emerald-300">
            {t("done", { action: outcome.action, service: outcome.service })}
          </p>
        )}
        {outcome && !outcome.ok && (
          <p className="text-red-800 dark:text-red-300">
            {t("refused", { service: outcome.service, hasOutput: outcome.output ? "yes" : "no" })}
          </p>
        )}
      </div>
      {outcome && !outcome.ok && outcome.output && (
        <pre
          aria-label={t("output")}
          className="max-h-64 overflow-auto whitespace-pre-wrap rounded-md border border-red-300 bg-red-50 p-3 font-mono text-xs text-red-950 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
          translate="no"
        >
          {outcome.output}
        </pre>
      )}
      {act.isError && (
        <ErrorAlert
          error={act.error}
          title={t("failed", { action: act.variables.action, service: act.variables.service })}
        />
      )}

      {list.isPending && <p className="text-sm text-slate-600 dark:text-slate-300">{t("loading")}</p>}
      {list.isError && <ErrorAlert error={list.error} title={t("notRead")} />}
      {list.data && (
        <>
          {manager === null ? (
            <p className="text-sm text-slate-700 dark:text-slate-300" data-testid="services-manager">
              {t("noManager")}
            </p>
          ) : (
            <p className="text-sm text-slate-700 dark:text-slate-300" data-testid="services-manager">
              {t("manager", { manager })}
            </p>
          )}
          {manager === "busybox" && canChange && (
            <p className="text-sm text-slate-600 dark:text-slate-300">{t("busyboxNote")}</p>
          )}
          {services.length === 0 ? (
            manager !== null && <p className="text-sm text-slate-600 dark:text-slate-300">{t("none")}</p>
          ) : (
            <>
              <div className="flex flex-wrap items-end gap-3">
                <TextField
                  type="search"
                  label={t("filter")}
                  help={t("filterHelp")}
                  value={filter}
                  onChange={(event) => setFilter(event.target.value)}
                  className="w-72"
                />
                <p className="pb-1 text-sm text-slate-600 dark:text-slate-300">
                  {t("count", {
                    shown: shown.length,
                    total: shown.length === services.length ? "same" : String(services.length),
                  })}
                </p>
              </div>
              {shown.length === 0 ? (
                <p className="text-sm text-slate-600 dark:text-slate-300">{t("noMatch", { filter })}</p>
              ) : (
                <DataTable
                  caption={t("table.caption", { name })}
                  columns={[
                    t("table.service"),
                    { label: t("table.description"), className: "hidden md:table-cell" },
                    t("table.state"),
                    t("table.enabled"),
                    ...(canChange ? [""] : []),
                  ]}
                >
                  {shown.map((service) => (
                    <tr
                      key={service.name}
                      data-service={service.name}
                      className="border-b border-slate-100 last:border-0 dark:border-slate-800"
                    >
                      <th scope="row" className="px-3 py-2 font-mono text-xs font-medium" translate="no">
                        {service.name}
                      </th>
                      <td className="hidden px-3 py-2 md:table-cell">{service.description || "–"}</td>
                      <td className="px-3 py-2">
                        <ServiceStateBadge state={service.state} />
                      </td>
                      <td className="px-3 py-2">
                        {t(`enabled.${service.enabled === null ? "na" : service.enabled ? "yes" : "no"}`)}
                      </td>
                      {canChange && (
                        <td className="space-x-1 whitespace-nowrap px-3 py-2">
                          {actionsFor(manager, service).map((action) => (
                            <Button
                              key={action}
                              size="sm"
                              variant={action === "stop" || action === "disable" ? "ghost" : "secondary"}
                              aria-label={t("actions.label", { action, service: service.name })}
                              isPending={pending?.service === service.name && pending.action === action}
                              disabled={act.isPending}
                              onClick={() => run({ action, service: service.name })}
                            >
                              {t(`actions.${action}`)}
                            </Button>
                          ))}
                        </td>
                      )}
                    </tr>
                  ))}
                </DataTable>
              )}
            </>
          )}
        </>
      )}
      <ConfirmDialog
        open={ask !== null}
        title={t("confirm.title", { action: ask?.action ?? "", service: ask?.service ?? "" })}
        confirmLabel={t("confirm.button", { action: ask?.action ?? "" })}
        onCancel={() => setAsk(null)}
        onConfirm={() => {
          if (ask) act.mutate(ask);
          setAsk(null);
        }}
      >
        <p>{t("confirm.body", { action: ask?.action ?? "", service: ask?.service ?? "", name })}</p>
      </ConfirmDialog>
    </section>
  );
}
