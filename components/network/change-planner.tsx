"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
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
  OPS,
  applyInput,
  choicesFor,
  describeChange,
  draftFor,
  emptyDraft,
  failedIndexOf,
  fieldsOf,
  removeChange,
  rollbackSecondsError,
  toChange,
  type TDraft,
  type TOp,
} from "./change-planner-draft";

/**
 * Changing the host's network: changes are collected into a plan, the plan is reviewed (the exact commands, their
 * undo, what it touches, the persisted files' diff), then applied. A change that touches this browser's interface
 * is applied with an automatic rollback; any other can be, on request.
 */
export function ChangePlanner({ network }: { network: TNetworkListResponse }) {
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
  const pick = (label: string) => [{ value: "", label: `(${label})` }];
  const set = <K extends keyof TDraft>(key: K, value: TDraft[K]) => setDraft({ ...draft, [key]: value });

  const add = (event: FormEvent) => {
    event.preventDefault();
    const change = toChange(draft);
    if (typeof change === "string") return setDraftError(change);
    setDraftError(null);
    setChanges([...changes, change]);
    setPlan(null);
    setDraft(draftFor(draft.op));
  };
  const failedIndex = failedIndexOf(review.error);
  const secondsError = rollbackSecondsError(withRollback, rollbackSeconds);

  return (
    <section
      aria-labelledby="change-heading"
      className="space-y-4 rounded-lg border border-slate-200 p-4 dark:border-slate-800"
    >
      <h2 id="change-heading" className="text-lg font-semibold">
        Change the host&apos;s network
      </h2>
      <p className="text-sm text-slate-600 dark:text-slate-300">
        Collect changes into a plan, review the exact commands, then apply. A plan that touches the interface
        this browser uses is applied with an automatic rollback: unless you confirm within the time, it is
        undone.
      </p>

      <form onSubmit={add} className="grid gap-3 sm:grid-cols-3" aria-label="Add a change">
        <SelectField
          label="Change"
          value={draft.op}
          options={OPS}
          onChange={(event) => setDraft(draftFor(event.target.value as TOp))}
        />
        {draft.op === "bridge.create" && (
          <>
            <TextField
              label="Bridge name"
              value={draft.name}
              onChange={(e) => set("name", e.target.value)}
              placeholder="br0"
            />
            <TextField
              label="Forward delay (seconds, optional)"
              inputMode="numeric"
              value={draft.forwardDelay}
              onChange={(e) => set("forwardDelay", e.target.value)}
              placeholder="15"
            />
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={draft.stp} onChange={(e) => set("stp", e.target.checked)} />
              Spanning tree (STP)
            </label>
          </>
        )}
        {hasBridge && (
          <SelectField
            label="Bridge"
            value={draft.bridge}
            options={[...pick("pick a bridge"), ...bridges]}
            onChange={(e) => set("bridge", e.target.value)}
          />
        )}
        {draft.op === "bridge.addPort" && (
          <>
            <SelectField
              label="Port"
              value={draft.port}
              options={[...pick("pick an interface"), ...freePorts]}
              onChange={(e) => set("port", e.target.value)}
            />
            <label className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                checked={draft.moveAddresses}
                onChange={(e) => set("moveAddresses", e.target.checked)}
              />
              Move its addresses and default route to the bridge
            </label>
          </>
        )}
        {draft.op === "bridge.removePort" && (
          <SelectField
            label="Port"
            value={draft.port}
            options={[...pick("pick a port"), ...portsOf]}
            onChange={(e) => set("port", e.target.value)}
          />
        )}
        {hasDev && (
          <SelectField
            label="Interface"
            value={draft.dev}
            options={[...pick("pick an interface"), ...names]}
            onChange={(e) => set("dev", e.target.value)}
          />
        )}
        {draft.op === "address.add" && (
          <TextField
            label="Address with prefix"
            value={draft.cidr}
            onChange={(e) => set("cidr", e.target.value)}
            placeholder="192.0.2.10/24"
          />
        )}
        {draft.op === "address.remove" && (
          <SelectField
            label="Address"
            value={draft.cidr}
            options={[...pick("pick an address"), ...addressesOf]}
            onChange={(e) => set("cidr", e.target.value)}
          />
        )}
        {draft.op === "route.default" && (
          <TextField
            label="Gateway"
            value={draft.via}
            onChange={(e) => set("via", e.target.value)}
            placeholder="192.0.2.1"
          />
        )}
        {draft.op === "link.set" && (
          <>
            <TextField
              label="MTU (optional)"
              inputMode="numeric"
              value={draft.mtu}
              onChange={(e) => set("mtu", e.target.value)}
            />
            <SelectField
              label="State"
              value={draft.state}
              options={[
                { value: "", label: "(unchanged)" },
                { value: "up", label: "up" },
                { value: "down", label: "down" },
              ]}
              onChange={(e) => set("state", e.target.value as TDraft["state"])}
            />
          </>
        )}
        <div className="flex items-end sm:col-span-3">
          <Button type="submit">Add to the plan</Button>
          {draftError && (
            <p role="alert" className="ml-3 text-sm text-red-700 dark:text-red-300">
              {draftError}
            </p>
          )}
        </div>
      </form>

      {changes.length > 0 && (
        <div className="space-y-3">
          <h3 className="font-medium">Changes in this plan</h3>
          <ol className="list-decimal space-y-1 pl-6 text-sm" aria-label="Changes in this plan">
            {changes.map((change, index) => (
              <li
                key={index}
                aria-invalid={failedIndex === index || undefined}
                className={failedIndex === index ? "text-red-700 dark:text-red-300" : ""}
              >
                {describeChange(change)}{" "}
                <Button
                  size="sm"
                  variant="ghost"
                  aria-label={`Remove change ${index + 1}: ${describeChange(change)}`}
                  onClick={() => {
                    setChanges(removeChange(changes, index));
                    setPlan(null);
                  }}
                >
                  Remove
                </Button>
              </li>
            ))}
          </ol>
          <Button variant="primary" isPending={review.isPending} onClick={() => review.mutate(changes)}>
            Review the plan
          </Button>
          {review.isError && (
            <ErrorAlert
              error={review.error}
              title={
                failedIndex === null ? "The plan was refused" : `Change ${failedIndex + 1} cannot be made`
              }
            />
          )}
        </div>
      )}

      {plan && (
        <div
          className="space-y-3 rounded-md border border-slate-200 p-3 dark:border-slate-700"
          aria-label="Plan review"
          role="region"
        >
          <h3 className="font-medium">The plan</h3>
          {plan.touchesSession && (
            <p
              role="alert"
              className="rounded-md border border-amber-300 bg-amber-50 p-2 text-sm dark:border-amber-800 dark:bg-amber-950"
            >
              This plan changes <strong>{network.session.interface}</strong>, the interface this browser
              reaches Atelier on. It is applied with an automatic rollback: unless you confirm from this page
              within the time below, everything is undone.
            </p>
          )}
          {plan.warnings.map((warning) => (
            <p
              key={warning}
              className="rounded-md border border-amber-300 bg-amber-50 p-2 text-sm dark:border-amber-800 dark:bg-amber-950"
            >
              {warning}
            </p>
          ))}
          <div>
            <h4 className="text-sm font-medium">Commands, in order</h4>
            <ol className="list-decimal space-y-1 pl-6 text-sm" data-testid="plan-steps">
              {plan.steps.map((step, index) => (
                <li key={index}>
                  {step.description}: <code className="font-mono text-xs">{step.argv.join(" ")}</code>
                </li>
              ))}
            </ol>
          </div>
          <details>
            <summary className="cursor-pointer text-sm font-medium">
              What a rollback runs ({plan.undo.length} commands)
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
            <h4 className="text-sm font-medium">Persisted for the next boot</h4>
            <p className="text-sm">{plan.persist.reason}</p>
            {plan.persist.warnings.map((warning) => (
              <p key={warning} className="text-sm text-amber-800 dark:text-amber-200">
                {warning}
              </p>
            ))}
            {plan.persist.files.length === 0
              ? plan.persist.system !== "none" && <p className="text-sm">No persisted file changes.</p>
              : plan.persist.files.map((file) => (
                  <DiffView key={file.path} diff={file.diff} label={`Changes to ${file.path}`} />
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
              Roll back automatically unless I confirm
            </label>
            {withRollback && (
              <TextField
                label="Seconds to confirm"
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
              Apply {plan.steps.length} command{plan.steps.length === 1 ? "" : "s"}
            </Button>
            <Button onClick={() => setPlan(null)}>Back to editing</Button>
          </div>
        </div>
      )}
      {apply.isError && <ErrorAlert error={apply.error} title="The plan was not applied" />}
      {apply.isSuccess && apply.data.state === "applied" && (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-300">
          Applied and persisted.
        </p>
      )}
    </section>
  );
}
