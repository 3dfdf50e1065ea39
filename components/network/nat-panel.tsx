"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { useFormat } from "@/components/i18n/use-format";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DataTable } from "@/components/ui/data-table";
import { ErrorAlert, useFieldError } from "@/components/ui/error-alert";
import { TextField } from "@/components/ui/text-field";

/**
 * The NAT network (LXC's lxc-net, from the panel): a bridge with an address, DHCP/DNS by dnsmasq, masquerade by
 * nftables. Settings can change only while it is stopped; stopping it is refused while containers are on it.
 */
type TNatForm = { bridge: string; address: string; dhcpStart: string; dhcpEnd: string };

export function NatPanel({ canChange }: { canChange: boolean }) {
  const t = useTranslations("network.nat");
  const f = useFormat();
  const fieldError = useFieldError();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const nat = useQuery({ ...trpc.network.nat.get.queryOptions(), refetchInterval: 5000 });
  // What the user typed; until then, the saved settings.
  const [draft, setDraft] = useState<TNatForm | null>(null);
  const [askStop, setAskStop] = useState(false);
  const refresh = () => void queryClient.invalidateQueries(trpc.network.pathFilter());
  const configure = useMutation(
    trpc.network.nat.configure.mutationOptions({
      onSuccess: () => {
        setDraft(null);
        refresh();
      },
    }),
  );
  const start = useMutation(trpc.network.nat.start.mutationOptions({ onSuccess: refresh }));
  const stop = useMutation(trpc.network.nat.stop.mutationOptions({ onSuccess: refresh }));
  const form: TNatForm = draft ?? nat.data?.config ?? { bridge: "", address: "", dhcpStart: "", dhcpEnd: "" };
  const setForm = setDraft;

  if (nat.isPending) return null;
  if (nat.isError) return <ErrorAlert error={nat.error} title={t("readError")} />;
  const status = nat.data;
  const isStopped = !status.running && !status.parts.bridge;
  const onSave = (event: FormEvent) => {
    event.preventDefault();
    configure.mutate(form);
  };
  const field = (name: keyof typeof form, label: string, help?: string) => (
    <TextField
      label={label}
      value={form[name]}
      help={help}
      error={fieldError(configure.error, name)}
      disabled={!canChange || !isStopped}
      onChange={(event) => setForm({ ...form, [name]: event.target.value })}
    />
  );
  // The status line's selects (network.nat.status).
  const statusWords = {
    state: status.running ? "running" : status.parts.bridge ? "partly" : "stopped",
    bridge: status.parts.bridge ? "up" : "absent",
    dnsmasq: status.parts.dnsmasq ? "running" : "stopped",
    pid: String(status.parts.dnsmasq ?? ""),
    masquerade: status.parts.masquerade ? "on" : "off",
    enabled: status.enabled ? "yes" : "no",
  };
  const otherError =
    configure.isError && !fieldError(configure.error, "bridge") && !fieldError(configure.error, "address");
  return (
    <section aria-labelledby="nat-heading" className="space-y-3">
      <h2 id="nat-heading" className="text-lg font-semibold">
        {t("heading")}
      </h2>
      <p className="text-sm text-slate-600 dark:text-slate-300">{t("intro")}</p>
      <p data-testid="nat-status" className="text-sm">
        {t.rich("status", {
          b: (chunks) => <strong>{chunks}</strong>,
          ...statusWords,
        })}
      </p>
      <form onSubmit={onSave} className="grid gap-3 sm:grid-cols-4" aria-label={t("form")}>
        {field("bridge", t("fields.bridge"))}
        {field("address", t("fields.address"), t("fields.addressHelp"))}
        {field("dhcpStart", t("fields.dhcpStart"))}
        {field("dhcpEnd", t("fields.dhcpEnd"))}
        {canChange && (
          <div className="flex flex-wrap gap-2 sm:col-span-4">
            <Button type="submit" disabled={!isStopped} isPending={configure.isPending}>
              {t("save")}
            </Button>
            {isStopped ? (
              <Button variant="primary" isPending={start.isPending} onClick={() => start.mutate()}>
                {t("start")}
              </Button>
            ) : (
              <Button variant="danger" isPending={stop.isPending} onClick={() => setAskStop(true)}>
                {t("stop")}
              </Button>
            )}
            {!isStopped && (
              <p className="self-center text-sm text-slate-600 dark:text-slate-300">{t("stopToChange")}</p>
            )}
          </div>
        )}
      </form>
      {otherError && <ErrorAlert error={configure.error} title={t("saveError")} />}
      {configure.isSuccess && (
        <p role="status" className="text-sm">
          {t("saved")}
        </p>
      )}
      {start.isError && <ErrorAlert error={start.error} title={t("startError")} />}
      {stop.isError && <ErrorAlert error={stop.error} title={t("stopError")} />}
      <ConfirmDialog
        open={askStop}
        title={t("confirmStop.title")}
        confirmLabel={t("confirmStop.confirm")}
        onCancel={() => setAskStop(false)}
        onConfirm={() => {
          setAskStop(false);
          stop.mutate();
        }}
      >
        <p>{t("confirmStop.body", { bridge: status.config.bridge })}</p>
      </ConfirmDialog>
      {status.leases.length > 0 && (
        <DataTable
          caption={t("leases.caption")}
          columns={[
            t("leases.columns.address"),
            t("leases.columns.mac"),
            t("leases.columns.hostname"),
            t("leases.columns.expires"),
          ]}
        >
          {status.leases.map((lease) => (
            <tr key={lease.mac}>
              <th scope="row" className="font-mono text-xs font-medium">
                {lease.address}
              </th>
              <td className="font-mono text-xs">{lease.mac}</td>
              <td>{lease.hostname ?? "–"}</td>
              <td>{f.time(lease.expires)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
