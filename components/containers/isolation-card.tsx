"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type ReactNode } from "react";
import { useSession } from "@/components/auth/use-session";
import { useFormat } from "@/components/i18n/use-format";
import { JobProgress } from "@/components/jobs/job-progress";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DataTable } from "@/components/ui/data-table";
import { ErrorAlert } from "@/components/ui/error-alert";

// Marks beside words that say the same (never the only sign), the same in every language.
const SAFE = "✓";
const DANGER = "⚠";
const MAPS_TO = "↔";

type TMap = { type: "u" | "g" | "b"; inside: number; host: number; count: number };
type TTarget = "unprivileged" | "privileged";

/** Ids first..first+count-1 as "a–b" (plain digits: an id is a name, as /etc/subuid writes it). */
const span = (first: number, count: number) => ({ first: String(first), last: String(first + count - 1) });

/** The host ranges a container's users (kind "u") or groups ("g") are: a "b" line maps both. */
const hostSpans = (maps: readonly TMap[], kind: "u" | "g") =>
  maps.filter((map) => map.type === kind || map.type === "b").map((map) => span(map.host, map.count));

const code = (chunks: ReactNode) => <code className="font-mono text-xs">{chunks}</code>;

/**
 * A container's isolation on its Overview: unprivileged (container root is host uid N, its map as a table, the host
 * ids it can touch, whether its root filesystem is mounted idmapped) or privileged (its root is the host's, said as
 * a warning); and the conversion either way, a job that snapshots first, for a stopped container: to unprivileged
 * for operators, to privileged for admins only.
 */
export function IsolationCard({ name, isStopped }: { name: string; isStopped: boolean }) {
  const t = useTranslations("containers.isolation");
  const f = useFormat();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const session = useSession();
  const isolation = useQuery(trpc.containers.isolation.queryOptions({ name }));
  // How this host makes a container unprivileged (idmapped mount, instant; or owners shifted on disk): an operator's.
  const host = useQuery({
    ...trpc.containers.hostIsolation.queryOptions(),
    enabled: session.can("operator"),
    staleTime: 60_000,
  });
  const method = !host.data
    ? "unknown"
    : host.data.method === "shift" || !host.data.idmappedRootfs.supported
      ? "shifted"
      : "idmapped";
  const [jobId, setJobId] = useState<string | null>(null);
  // While its job runs, the container is the job's: no second conversion.
  const [isConverting, setConverting] = useState(false);
  const [ask, setAsk] = useState<TTarget | null>(null);
  const convert = useMutation(
    trpc.containers.convert.mutationOptions({
      // The last conversion's job makes way for this one's.
      onMutate: () => setJobId(null),
      onSuccess: (data) => {
        setJobId(data.jobId);
        setConverting(true);
      },
    }),
  );
  const range = (value: { first: string; last: string }) => t("range", value);
  const why = isStopped ? undefined : t("onlyStopped");

  if (isolation.isPending) return null;
  if (isolation.isError) return <ErrorAlert error={isolation.error} title={t("loadError")} />;
  const picture = isolation.data;
  const target: TTarget | null = picture.unprivileged
    ? session.can("admin")
      ? "privileged"
      : null
    : session.can("operator")
      ? "unprivileged"
      : null;
  const users = hostSpans(picture.maps, "u").map(range);
  const groups = hostSpans(picture.maps, "g").map(range);
  return (
    <section
      aria-labelledby="isolation-heading"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <h3 id="isolation-heading" className="text-base font-semibold">
          {t("heading")}
        </h3>
        <p
          data-testid="isolation-state"
          data-unprivileged={picture.unprivileged}
          className={`rounded px-2 py-0.5 text-sm font-medium ${
            picture.unprivileged
              ? "bg-emerald-50 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200"
              : "bg-amber-50 text-amber-900 dark:bg-amber-950 dark:text-amber-100"
          }`}
        >
          <span aria-hidden="true">{picture.unprivileged ? SAFE : DANGER} </span>
          {picture.unprivileged ? t("unprivileged") : t("privileged")}
        </p>
      </div>
      {picture.unprivileged && picture.root ? (
        <p data-testid="isolation-root" className="text-sm">
          {t.rich("rootIs", { uid: String(picture.root.uid), gid: String(picture.root.gid), code })}
        </p>
      ) : (
        <p
          role="note"
          className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
        >
          {t("privilegedWarning")}
        </p>
      )}
      {picture.maps.length > 0 && (
        <>
          <DataTable
            caption={t("mapCaption", { name })}
            columns={[t("columns.ids"), t("columns.inside"), t("columns.host"), t("columns.count")]}
          >
            {picture.maps.map((map, index) => (
              <tr key={index} data-map={map.type}>
                <th scope="row" className="font-medium">
                  {t("type", { type: map.type })}
                </th>
                <td className="whitespace-nowrap tabular-nums">{range(span(map.inside, map.count))}</td>
                <td className="whitespace-nowrap tabular-nums">
                  <span aria-hidden="true">{MAPS_TO} </span>
                  {range(span(map.host, map.count))}
                </td>
                <td className="whitespace-nowrap tabular-nums">{f.count(map.count)}</td>
              </tr>
            ))}
          </DataTable>
          <p className="text-sm">
            {t("touches", { users: f.list(users), groups: f.list(groups) })}{" "}
            {t("slot", {
              hasSlot: picture.slot === null ? "no" : "yes",
              slot: picture.slot === null ? "" : String(picture.slot + 1),
            })}
          </p>
          <p className="text-sm text-slate-600 dark:text-slate-300">
            {picture.idmappedRootfs ? t("idmapped") : t("notIdmapped")}
          </p>
        </>
      )}
      {target && (
        <div className="flex flex-wrap items-center gap-2">
          <Button
            variant={target === "privileged" ? "danger" : "secondary"}
            disabled={!isStopped || isConverting}
            title={why}
            isPending={convert.isPending}
            onClick={() => setAsk(target)}
          >
            {target === "privileged" ? t("makePrivileged.button") : t("makeUnprivileged.button")}
          </Button>
          {!isStopped && <p className="text-sm text-slate-600 dark:text-slate-300">{why}</p>}
        </div>
      )}
      {convert.isError && (
        <ErrorAlert
          error={convert.error}
          title={
            convert.variables.to === "privileged"
              ? t("makePrivileged.error", { name })
              : t("makeUnprivileged.error", { name })
          }
        />
      )}
      {jobId && (
        <JobProgress
          key={jobId}
          id={jobId}
          canCancel={false}
          onFinished={() => {
            setConverting(false);
            void queryClient.invalidateQueries(trpc.containers.pathFilter());
            void queryClient.invalidateQueries(trpc.snapshots.pathFilter());
          }}
        />
      )}
      <ConfirmDialog
        open={ask === "unprivileged"}
        title={t("makeUnprivileged.title", { name })}
        confirmLabel={t("makeUnprivileged.confirm")}
        onCancel={() => setAsk(null)}
        onConfirm={() => {
          setAsk(null);
          convert.mutate({ name, to: "unprivileged" });
        }}
      >
        <p>{t("makeUnprivileged.snapshot", { name })}</p>
        <p>{t("makeUnprivileged.body", { method })}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={ask === "privileged"}
        title={t("makePrivileged.title", { name })}
        confirmLabel={t("makePrivileged.confirm")}
        onCancel={() => setAsk(null)}
        onConfirm={() => {
          setAsk(null);
          convert.mutate({ name, to: "privileged" });
        }}
      >
        <p role="note" className="font-medium text-amber-900 dark:text-amber-100">
          {t("makePrivileged.warning")}
        </p>
        <p>{t("makePrivileged.body", { name, shifted: picture.idmappedRootfs ? "no" : "yes" })}</p>
      </ConfirmDialog>
    </section>
  );
}
