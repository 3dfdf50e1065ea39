"use client";

import { useQuery } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import Link from "next/link";
import type { ReactNode } from "react";
import { useTRPC } from "@/components/trpc";
import { Button, Spinner } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { formatBytes } from "@/components/lib/format";
import { UsagePanel } from "@/components/metrics/usage-panel";
import { ContainerNics } from "@/components/network/container-nics";
import { SnapshotsPanel } from "./snapshots-panel";
import { useSession } from "@/components/auth/use-session";
import { ContainerActions } from "./container-actions";
import { StateBadge } from "./state-badge";

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-3 gap-4 px-4 py-2.5">
      <dt className="text-sm text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="col-span-2 break-all text-sm">{children}</dd>
    </div>
  );
}

const isNotFound = (error: unknown) =>
  error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === "NOT_FOUND";

export function ContainerDetail({ name }: { name: string }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.containers.get.queryOptions({ name }));
  const session = useSession();

  const back = (
    <Link href="/containers" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
      ← All containers
    </Link>
  );

  if (detail.isPending) {
    return (
      <div className="space-y-4">
        {back}
        <p role="status" className="flex items-center gap-2">
          <Spinner /> Loading {name}…
        </p>
      </div>
    );
  }
  if (detail.isError) {
    return (
      <div className="space-y-3">
        {back}
        <h1 className="text-2xl font-semibold">{name}</h1>
        <ErrorAlert
          error={detail.error}
          title={isNotFound(detail.error) ? "Container not found" : "The container could not be read"}
        />
        {!isNotFound(detail.error) && <Button onClick={() => void detail.refetch()}>Try again</Button>}
      </div>
    );
  }

  const container = detail.data;
  const none = <span className="text-slate-400">–</span>;
  return (
    <div className="space-y-5">
      {back}
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">{container.name}</h1>
        <StateBadge state={container.state} busy={container.busy} />
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <ContainerActions container={container} layout="full" />
        <Link
          href={`/containers/${encodeURIComponent(container.name)}/config`}
          className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100 dark:border-slate-600 dark:hover:bg-slate-800"
        >
          Config…
        </Link>
      </div>
      <dl className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900">
        <Field label="State">
          <span data-testid="container-state">{container.state}</span>
        </Field>
        <Field label="PID">{container.pid ?? none}</Field>
        <Field label="IPv4">{container.ipv4.join(", ") || none}</Field>
        <Field label="IPv6">{container.ipv6.join(", ") || none}</Field>
        <Field label="Memory in use">{formatBytes(container.memoryUseBytes)}</Field>
        <Field label="Autostart">{container.autostart ? "Yes" : "No"}</Field>
        <Field label="Groups">{container.groups.join(", ") || none}</Field>
        <Field label="Unprivileged">{container.unprivileged ? "Yes" : "No"}</Field>
        <Field label="Config file">
          <code className="font-mono text-xs">{container.configPath}</code>
        </Field>
      </dl>
      <UsagePanel name={container.name} isRunning={container.state !== "STOPPED"} />
      <ContainerNics name={container.name} canChange={session.can("operator")} />
      <SnapshotsPanel
        name={container.name}
        isStopped={container.state === "STOPPED"}
        canChange={session.can("operator")}
      />
    </div>
  );
}
