"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { DiffView } from "@/components/config/diff-view";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { SelectField } from "@/components/ui/select-field";
import { TextField } from "@/components/ui/text-field";
import type { TNetworkChange } from "@/server/host-network/plan";
import type { TNetworkListResponse } from "@/server/trpc/routers/network/network.types";
import type { TNetworkPlanResponse } from "@/server/trpc/routers/network/plan-network";

/**
 * Changing the host's network: changes are collected into a plan, the plan is reviewed (the exact commands, their
 * undo, what it touches, the persisted files' diff), then applied. A change that touches this browser's interface
 * is applied with an automatic rollback; any other can be, on request.
 */
const OPS = [
  { value: "bridge.create", label: "Create a bridge" },
  { value: "bridge.addPort", label: "Add a port to a bridge" },
  { value: "bridge.removePort", label: "Take a port out of a bridge" },
  { value: "bridge.delete", label: "Delete a bridge" },
  { value: "address.add", label: "Add an address" },
  { value: "address.remove", label: "Remove an address" },
  { value: "route.default", label: "Set the default route" },
  { value: "link.set", label: "Set MTU or up/down" },
] as const;
type TOp = (typeof OPS)[number]["value"];

/** A change in words, for the list. */
export const describeChange = (change: TNetworkChange) => {
  switch (change.op) {
    case "bridge.create":
      return `Create bridge ${change.name}${change.stp ? " with STP" : ""}${change.forwardDelay !== undefined ? `, forward delay ${change.forwardDelay} s` : ""}`;
    case "bridge.delete":
      return `Delete bridge ${change.name}`;
    case "bridge.addPort":
      return `Make ${change.port} a port of ${change.bridge}${change.moveAddresses ? ", moving its addresses and default route to the bridge" : ""}`;
    case "bridge.removePort":
      return `Take ${change.port} out of ${change.bridge}`;
    case "address.add":
      return `Add ${change.cidr} to ${change.dev}`;
    case "address.remove":
      return `Remove ${change.cidr} from ${change.dev}`;
    case "route.default":
      return `Default route via ${change.via} on ${change.dev}`;
    case "link.set":
      return `Set ${change.dev}${change.mtu !== undefined ? ` MTU ${change.mtu}` : ""}${change.up === undefined ? "" : change.up ? " up" : " down"}`;
  }
};

type TDraft = {
  op: TOp;
  name: string;
  stp: boolean;
  forwardDelay: string;
  bridge: string;
  port: string;
  moveAddresses: boolean;
  dev: string;
  cidr: string;
  via: string;
  mtu: string;
  state: "" | "up" | "down";
};

const emptyDraft: TDraft = {
  op: "bridge.create",
  name: "",
  stp: false,
  forwardDelay: "",
  bridge: "",
  port: "",
  moveAddresses: true,
  dev: "",
  cidr: "",
  via: "",
  mtu: "",
  state: "",
};

const toChange = (draft: TDraft): TNetworkChange | string => {
  switch (draft.op) {
    case "bridge.create":
      if (!draft.name) return "Name the bridge.";
      return {
        op: draft.op,
        name: draft.name.trim(),
        stp: draft.stp,
        ...(draft.forwardDelay ? { forwardDelay: Number(draft.forwardDelay) } : {}),
      };
    case "bridge.delete":
      return draft.bridge ? { op: draft.op, name: draft.bridge } : "Pick the bridge.";
    case "bridge.addPort":
      if (!draft.bridge || !draft.port) return "Pick the bridge and the port.";
      return { op: draft.op, bridge: draft.bridge, port: draft.port, moveAddresses: draft.moveAddresses };
    case "bridge.removePort":
      if (!draft.bridge || !draft.port) return "Pick the bridge and the port.";
      return { op: draft.op, bridge: draft.bridge, port: draft.port };
    case "address.add":
    case "address.remove":
      if (!draft.dev || !draft.cidr) return "Pick the interface and the address.";
      return { op: draft.op, dev: draft.dev, cidr: draft.cidr.trim() };
    case "route.default":
      if (!draft.dev || !draft.via) return "Give the gateway and the interface.";
      return { op: draft.op, via: draft.via.trim(), dev: draft.dev };
    case "link.set":
      if (!draft.dev) return "Pick the interface.";
      if (!draft.mtu && !draft.state) return "Give an MTU or a state.";
      return {
        op: draft.op,
        dev: draft.dev,
        ...(draft.mtu ? { mtu: Number(draft.mtu) } : {}),
        ...(draft.state ? { up: draft.state === "up" } : {}),
      };
  }
};

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

  // Bridges this plan creates can be used by its later changes.
  const planned = changes.flatMap((change) => (change.op === "bridge.create" ? [change.name] : []));
  const names = [...network.interfaces.map((entry) => entry.name), ...planned];
  const bridges = [...network.bridges.map((bridge) => bridge.name), ...planned];
  const freePorts = network.interfaces
    .filter(
      (entry) => entry.kind !== "bridge" && entry.kind !== "loopback" && !entry.master && !entry.container,
    )
    .map((entry) => entry.name);
  const portsOf = network.bridges.find((bridge) => bridge.name === draft.bridge)?.ports ?? [];
  const addressesOf = (network.interfaces.find((entry) => entry.name === draft.dev)?.addresses ?? [])
    .filter((address) => address.scope !== "link")
    .map((address) => address.cidr);
  const pick = (label: string) => [{ value: "", label: `(${label})` }];
  const set = <K extends keyof TDraft>(key: K, value: TDraft[K]) => setDraft({ ...draft, [key]: value });

  const add = (event: FormEvent) => {
    event.preventDefault();
    const change = toChange(draft);
    if (typeof change === "string") return setDraftError(change);
    setDraftError(null);
    setChanges([...changes, change]);
    setPlan(null);
    setDraft({ ...emptyDraft, op: draft.op });
  };
  const failedIndex = (() => {
    const field = (review.error as { data?: { field?: string | null } } | null)?.data?.field ?? "";
    const match = /^changes\.(\d+)\./.exec(field);
    return match ? Number(match[1]) : null;
  })();
  const seconds = Number(rollbackSeconds);
  const secondsError =
    withRollback && (!Number.isInteger(seconds) || seconds < 5 || seconds > 600)
      ? "Between 5 and 600 seconds."
      : null;

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
          onChange={(event) => setDraft({ ...emptyDraft, op: event.target.value as TOp })}
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
        {(draft.op === "bridge.delete" ||
          draft.op === "bridge.addPort" ||
          draft.op === "bridge.removePort") && (
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
        {(draft.op === "address.add" ||
          draft.op === "address.remove" ||
          draft.op === "route.default" ||
          draft.op === "link.set") && (
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
                    setChanges(changes.filter((_, position) => position !== index));
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
              onClick={() =>
                apply.mutate({
                  changes,
                  digest: plan.digest,
                  ...(withRollback ? { rollbackSeconds: seconds } : {}),
                })
              }
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
