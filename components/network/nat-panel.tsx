"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DataTable } from "@/components/ui/data-table";
import { ErrorAlert } from "@/components/ui/error-alert";
import { fieldError, TextField } from "@/components/ui/text-field";

/**
 * The NAT network (LXC's lxc-net, from the panel): a bridge with an address, DHCP/DNS by dnsmasq, masquerade by
 * nftables. Settings can change only while it is stopped; stopping it is refused while containers are on it.
 */
type TNatForm = { bridge: string; address: string; dhcpStart: string; dhcpEnd: string };

export function NatPanel({ canChange }: { canChange: boolean }) {
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
  if (nat.isError) return <ErrorAlert error={nat.error} title="The NAT network could not be read" />;
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
  return (
    <section aria-labelledby="nat-heading" className="space-y-3">
      <h2 id="nat-heading" className="text-lg font-semibold">
        NAT network
      </h2>
      <p className="text-sm text-slate-600 dark:text-slate-300">
        A private network for containers behind the host&apos;s address, as LXC&apos;s lxc-net makes:
        addresses by DHCP, DNS, and traffic out through the host. Attach containers to its bridge below.
      </p>
      <p data-testid="nat-status" className="text-sm">
        <strong>{status.running ? "Running" : status.parts.bridge ? "Partly running" : "Stopped"}</strong>
        {" · "}bridge {status.parts.bridge ? "up" : "absent"}, DHCP/DNS{" "}
        {status.parts.dnsmasq ? `running (dnsmasq ${status.parts.dnsmasq})` : "stopped"}, masquerade{" "}
        {status.parts.masquerade ? "on" : "off"}
        {status.enabled ? "; starts with Atelier" : ""}
      </p>
      <form onSubmit={onSave} className="grid gap-3 sm:grid-cols-4" aria-label="NAT network settings">
        {field("bridge", "Bridge name")}
        {field("address", "Address with prefix", "The containers' gateway and DNS")}
        {field("dhcpStart", "DHCP range start")}
        {field("dhcpEnd", "DHCP range end")}
        {canChange && (
          <div className="flex flex-wrap gap-2 sm:col-span-4">
            <Button type="submit" disabled={!isStopped} isPending={configure.isPending}>
              Save settings
            </Button>
            {isStopped ? (
              <Button variant="primary" isPending={start.isPending} onClick={() => start.mutate()}>
                Start the NAT network
              </Button>
            ) : (
              <Button variant="danger" isPending={stop.isPending} onClick={() => setAskStop(true)}>
                Stop the NAT network
              </Button>
            )}
            {!isStopped && (
              <p className="self-center text-sm text-slate-600 dark:text-slate-300">
                Stop it to change its settings.
              </p>
            )}
          </div>
        )}
      </form>
      {configure.isError &&
        !fieldError(configure.error, "bridge") &&
        !fieldError(configure.error, "address") && (
          <ErrorAlert error={configure.error} title="Settings not saved" />
        )}
      {configure.isSuccess && (
        <p role="status" className="text-sm">
          Settings saved.
        </p>
      )}
      {start.isError && <ErrorAlert error={start.error} title="The NAT network did not start" />}
      {stop.isError && <ErrorAlert error={stop.error} title="The NAT network was not stopped" />}
      <ConfirmDialog
        open={askStop}
        title="Stop the NAT network?"
        confirmLabel="Stop it"
        onCancel={() => setAskStop(false)}
        onConfirm={() => {
          setAskStop(false);
          stop.mutate();
        }}
      >
        <p>
          Its bridge {status.config.bridge}, DHCP/DNS and masquerade go away. Containers configured for it
          will not start until it runs again.
        </p>
      </ConfirmDialog>
      {status.leases.length > 0 && (
        <DataTable
          caption="DHCP leases on the NAT network"
          columns={["Address", "MAC", "Host name", "Expires"]}
        >
          {status.leases.map((lease) => (
            <tr key={lease.mac}>
              <th scope="row" className="font-mono text-xs font-medium">
                {lease.address}
              </th>
              <td className="font-mono text-xs">{lease.mac}</td>
              <td>{lease.hostname ?? "–"}</td>
              <td>{lease.expires.toLocaleTimeString()}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
