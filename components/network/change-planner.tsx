"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { DiffView } from "@/components/ui/diff-view";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { SelectField } from "@/components/ui/select-field";
import { TextField } from "@/components/ui/text-field";
import type { TNetworkChange } from "@/server/host-network/plan";
import type { TNetworkListResponse } from "@/server/trpc/routers/network/network.types";
import type { TNetworkPlanResponse } from "@/server/trpc/routers/network/plan-network";
import {
  applyInput,
  choicesFor,
  describeChange,
  draftFor,
  emptyDraft,
  failedIndexOf,
  fieldsOf,
  opOptions,
  removeChange,
  rollbackSecondsError,
  toChange,
  type TDraft,
  type TOp,
} from "./change-planner-draft";
import { useWords } from "./use-words";

// An interface name, the same in every language.
const EXAMPLE_BRIDGE = "br0";

/**
 * Changing the host's network: changes are collected into a plan, the plan is reviewed (the exact commands, their
 * undo, what it touches, the persisted files' diff), then applied. A change that touches this browser's interface
 * is applied with an automatic rollback; any other can be, on request.
 */
export function ChangePlanner({ network }: { network: TNetworkListResponse }) {
  const t = useTranslations("network.planner");
  const say = useWords();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<TDraft>(emptyDraft);
  const [draftError, setDraftError] = useState<string | null>(null);
  const [changes, setChanges] = useState<TNetworkChange[]>([]);
  const [plan, setPlan] = useState<TNetworkPlanResponse | null>(null);
  const [withRollback, setWithRollback] = useState(false);
  const [rollbackSeconds, setRollbackSeconds] = useState("60");

  const review = useMutation({
    mutationFn: (list: TNetworkChange[]) =>
      queryClient.fetchQuery(trpc.network.plan.queryOptions({ changes: list }, { staleTime: 0 })),
    onSuccess: (data) => {
      setPlan(data);
      if (data.touchesSession) setWithRollback(true);
    },
  });
  const apply = useMutation(
    trpc.network.applyPlan.mutationOptions({
      onSuccess: () => {
        setPlan(null);
        setChanges([]);
        void queryClient.invalidateQueries(trpc.network.pathFilter());
      },
    }),
  );

  const { names, bridges, freePorts, portsOf, addressesOf } = choicesFor(network, changes, draft);
  const { hasBridge, hasDev } = fieldsOf(draft.op);
  const pick = (label: string) => [{ value: "", label }];
  const set = <K extends keyof TDraft>(key: K, value: TDraft[K]) => setDraft({ ...draft, [key]: value });

  const add = (event: FormEvent) => {
    event.preventDefault();
    const change = toChange(draft, t);
    if (typeof change === "string") return setDraftError(change);
    setDraftError(null);
    setChanges([...changes, change]);
    setPlan(null);
    setDraft(draftFor(draft.op));
  };
  const failedIndex = failedIndexOf(review.error);
  const secondsError = rollbackSecondsError(withRollback, rollbackSeconds, t);

  return (
    <section
      aria-labelledby="change-heading"
      className="space-y-4 rounded-lg border border-slate-200 p-4 dark:border-slate-800"
    >
      <h2 id="change-heading" className="text-lg font-semibold">
        {t("heading")}
      </h2>
      <p className="text-sm text-slate-600 dark:text-slate-300">{t("intro")}</p>

      <form onSubmit={add} className="grid gap-3 sm:grid-cols-3" aria-label={t("addForm")}>
        <SelectField
          label={t("fields.change")}
          value={draft.op}
          options={opOptions(t)}
          onChange={(event) => setDraft(draftFor(event.target.value as TOp))}
        />
        {draft.op === "bridge.create" && (
          <>
            <TextField
              label={t("fields.bridgeName")}
              value={draft.name}
              onChange={(e) => set("name", e.target.value)}
              placeholder={EXAMPLE_BRIDGE}
            />
            <TextField
              label={t("fields.forwardDelay")}
              inputMode="numeric"
              value={draft.forwardDelay}
              onChange={(e) => set("forwardDelay", e.target.value)}
              placeholder="15"
            />
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={draft.stp} onChange={(e) => set("stp", e.target.checked)} />
              {t("fields.stp")}
            </label>
          </>
        )}
        {hasBridge && (
          <SelectField
            label={t("fields.bridge")}
            value={draft.bridge}
            options={[...pick(t("pick.bridge")), ...bridges]}
            onChange={(e) => set("bridge", e.target.value)}
          />
        )}
        {draft.op === "bridge.addPort" && (
          <>
            <SelectField
              label={t("fields.port")}
              value={draft.port}
              options={[...pick(t("pick.interface")), ...freePorts]}
              onChange={(e) => set("port", e.target.value)}
            />
            <label className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                checked={draft.moveAddresses}
                onChange={(e) => set("moveAddresses", e.target.checked)}
              />
              {t("fields.moveAddresses")}
            </label>
          </>
        )}
        {draft.op === "bridge.removePort" && (
          <SelectField
            label={t("fields.port")}
            value={draft.port}
            options={[...pick(t("pick.port")), ...portsOf]}
            onChange={(e) => set("port", e.target.value)}
          />
        )}
        {hasDev && (
          <SelectField
            label={t("fields.interface")}
            value={draft.dev}
            options={[...pick(t("pick.interface")), ...names]}
            onChange={(e) => set("dev", e.target.value)}
          />
        )}
        {draft.op === "address.add" && (
          <TextField
            label={t("fields.cidr")}
            value={draft.cidr}
            onChange={(e) => set("cidr", e.target.value)}
            placeholder="192.0.2.10/24"
          />
        )}
        {draft.op === "address.remove" && (
          <SelectField
            label={t("fields.address")}
            value={draft.cidr}
            options={[...pick(t("pick.address")), ...addressesOf]}
            onChange={(e) => set("cidr", e.target.value)}
          />
        )}
        {draft.op === "route.default" && (
          <TextField
            label={t("fields.gateway")}
            value={draft.via}
            onChange={(e) => set("via", e.target.value)}
            placeholder="192.0.2.1"
          />
        )}
        {draft.op === "link.set" && (
          <>
            <TextField
              label={t("fields.mtu")}
              inputMode="numeric"
              value={draft.mtu}
              onChange={(e) => set("mtu", e.target.value)}
            />
            <SelectField
              label={t("fields.state")}
              value={draft.state}
              options={[
                { value: "", label: t("states.unchanged") },
                { value: "up", label: t("states.up") },
                { value: "down", label: t("states.down") },
              ]}
              onChange={(e) => set("state", e.target.value as TDraft["state"])}
            />
          </>
        )}
        <div className="flex items-end sm:col-span-3">
          <Button type="submit">{t("add")}</Button>
          {draftError && (
            <p role="alert" className="ml-3 text-sm text-red-700 dark:text-red-300">
              {draftError}
            </p>
          )}
        </div>
      </form>

      {changes.length > 0 && (
        <div className="space-y-3">
          <h3 className="font-medium">{t("list")}</h3>
          <ol className="list-decimal space-y-1 pl-6 text-sm" aria-label={t("list")}>
            {changes.map((change, index) => (
              <li
                key={index}
                aria-invalid={failedIndex === index || undefined}
                className={failedIndex === index ? "text-red-700 dark:text-red-300" : ""}
              >
                {describeChange(change, t)}{" "}
                <Button
                  size="sm"
                  variant="ghost"
                  aria-label={t("removeLabel", { number: index + 1, change: describeChange(change, t) })}
                  onClick={() => {
                    setChanges(removeChange(changes, index));
                    setPlan(null);
                  }}
                >
                  {t("remove")}
                </Button>
              </li>
            ))}
          </ol>
          <Button variant="primary" isPending={review.isPending} onClick={() => review.mutate(changes)}>
            {t("review")}
          </Button>
          {review.isError && (
            <ErrorAlert
              error={review.error}
              title={failedIndex === null ? t("refused") : t("changeRefused", { number: failedIndex + 1 })}
            />
          )}
        </div>
      )}

      {plan && (
        <div
          className="space-y-3 rounded-md border border-slate-200 p-3 dark:border-slate-700"
          aria-label={t("reviewRegion")}
          role="region"
        >
          <h3 className="font-medium">{t("planHeading")}</h3>
          {plan.touchesSession && (
            <p
              role="alert"
              className="rounded-md border border-amber-300 bg-amber-50 p-2 text-sm dark:border-amber-800 dark:bg-amber-950"
            >
              {t.rich("touchesSession", {
                b: (chunks) => <strong>{chunks}</strong>,
                name: network.session.interface ?? "",
              })}
            </p>
          )}
          {plan.warnings.map((warning, index) => (
            <p
              key={warning}
              className="rounded-md border border-amber-300 bg-amber-50 p-2 text-sm dark:border-amber-800 dark:bg-amber-950"
            >
              {say(warning, plan.warningWords?.[index])}
            </p>
          ))}
          <div>
            <h4 className="text-sm font-medium">{t("steps")}</h4>
            <ol className="list-decimal space-y-1 pl-6 text-sm" data-testid="plan-steps">
              {plan.steps.map((step, index) => (
                <li key={index}>
                  {t.rich("step", {
                    description: say(step.description, step.words),
                    command: step.argv.join(" "),
                    code: (chunks) => <code className="font-mono text-xs">{chunks}</code>,
                  })}
                </li>
              ))}
            </ol>
          </div>
          <details>
            <summary className="cursor-pointer text-sm font-medium">
              {t("undo", { count: plan.undo.length })}
            </summary>
            <ol className="list-decimal space-y-1 pl-6 text-sm">
              {plan.undo.map((step, index) => (
                <li key={index}>
                  <code className="font-mono text-xs">{step.argv.join(" ")}</code>
                </li>
              ))}
            </ol>
          </details>
          <div className="space-y-2">
            <h4 className="text-sm font-medium">{t("persisted")}</h4>
            <p className="text-sm">{say(plan.persist.reason, plan.persist.reasonWords)}</p>
            {plan.persist.warnings.map((warning, index) => (
              <p key={warning} className="text-sm text-amber-800 dark:text-amber-200">
                {say(warning, plan.persist.warningWords?.[index])}
              </p>
            ))}
            {plan.persist.files.length === 0
              ? plan.persist.system !== "none" && <p className="text-sm">{t("noFileChanges")}</p>
              : plan.persist.files.map((file) => (
                  <DiffView key={file.path} diff={file.diff} label={t("fileDiff", { path: file.path })} />
                ))}
          </div>
          <div className="flex flex-wrap items-end gap-3">
            <label className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                checked={withRollback}
                disabled={plan.touchesSession}
                onChange={(e) => setWithRollback(e.target.checked)}
              />
              {t("withRollback")}
            </label>
            {withRollback && (
              <TextField
                label={t("rollbackSeconds")}
                inputMode="numeric"
                value={rollbackSeconds}
                error={secondsError}
                onChange={(e) => setRollbackSeconds(e.target.value)}
                className="w-40"
              />
            )}
            <Button
              variant="danger"
              isPending={apply.isPending}
              disabled={secondsError !== null}
              onClick={() => apply.mutate(applyInput(changes, plan.digest, withRollback, rollbackSeconds))}
            >
              {t("apply", { count: plan.steps.length })}
            </Button>
            <Button onClick={() => setPlan(null)}>{t("back")}</Button>
          </div>
        </div>
      )}
      {apply.isError && <ErrorAlert error={apply.error} title={t("applyError")} />}
      {apply.isSuccess && apply.data.state === "applied" && (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-300">
          {t("applied")}
        </p>
      )}
    </section>
  );
}
