"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { DiffView } from "@/components/ui/diff-view";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DataTable } from "@/components/ui/data-table";
import { ErrorAlert, useFieldError } from "@/components/ui/error-alert";
import { SelectField } from "@/components/ui/select-field";
import { TextField } from "@/components/ui/text-field";

/**
 * A container's network interfaces: attach it to a bridge (veth) or onto a host NIC (macvlan), with DHCP or a static
 * address; written through the config's validated write path, so it shows the diff and takes effect at the next
 * start. Used on the Network page (any container) and on a container's page (that container).
 */
export function AttachNicForm({ container: fixed }: { container?: string }) {
  const t = useTranslations("network.nics");
  const fieldError = useFieldError();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const network = useQuery(trpc.network.list.queryOptions());
  const containers = useQuery({
    ...trpc.containers.list.queryOptions(undefined),
    enabled: fixed === undefined,
  });
  const [form, setForm] = useState({
    container: fixed ?? "",
    type: "veth" as "veth" | "macvlan",
    link: "",
    addressing: "dhcp" as "dhcp" | "static",
    ipv4: "",
    gateway: "",
  });
  const attach = useMutation(
    trpc.network.attach.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries(trpc.network.pathFilter()),
    }),
  );
  const links =
    network.data?.interfaces
      .filter((entry) =>
        form.type === "veth"
          ? entry.kind === "bridge"
          : (entry.kind === "physical" ||
              entry.kind === "bond" ||
              entry.kind === "vlan" ||
              entry.kind === "veth") &&
            !entry.master &&
            !entry.container,
      )
      .map((entry) => entry.name) ?? [];
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    attach.mutate({
      container: form.container,
      type: form.type,
      link: form.link,
      ...(form.addressing === "static"
        ? { ipv4: form.ipv4.trim(), ...(form.gateway.trim() ? { gateway: form.gateway.trim() } : {}) }
        : {}),
    });
  };
  const set = (key: keyof typeof form, value: string) => setForm({ ...form, [key]: value });
  const otherError =
    attach.isError &&
    !["container", "link", "ipv4", "gateway"].some((name) => fieldError(attach.error, name));
  const pickError = fieldError(attach.error, "container") || fieldError(attach.error, "link");
  return (
    <form onSubmit={onSubmit} className="space-y-3" aria-label={t("form")}>
      <div className="grid gap-3 sm:grid-cols-3">
        {fixed === undefined && (
          <SelectField
            label={t("fields.container")}
            value={form.container}
            options={[
              { value: "", label: t("pick.container") },
              ...(containers.data?.map((row) => row.name) ?? []),
            ]}
            onChange={(event) => set("container", event.target.value)}
          />
        )}
        <SelectField
          label={t("fields.connection")}
          value={form.type}
          options={[
            { value: "veth", label: t("types.veth") },
            { value: "macvlan", label: t("types.macvlan") },
          ]}
          onChange={(event) => setForm({ ...form, type: event.target.value as "veth" | "macvlan", link: "" })}
        />
        <SelectField
          label={form.type === "veth" ? t("fields.bridge") : t("fields.hostNic")}
          value={form.link}
          options={[{ value: "", label: form.type === "veth" ? t("pick.bridge") : t("pick.nic") }, ...links]}
          onChange={(event) => set("link", event.target.value)}
        />
        <SelectField
          label={t("fields.addressing")}
          value={form.addressing}
          options={[
            { value: "dhcp", label: t("addressings.dhcp") },
            { value: "static", label: t("addressings.static") },
          ]}
          onChange={(event) => set("addressing", event.target.value)}
        />
        {form.addressing === "static" && (
          <>
            <TextField
              label={t("fields.cidr")}
              value={form.ipv4}
              placeholder="10.0.3.10/24"
              error={fieldError(attach.error, "ipv4")}
              onChange={(event) => set("ipv4", event.target.value)}
            />
            <TextField
              label={t("fields.gateway")}
              value={form.gateway}
              placeholder="10.0.3.1"
              error={fieldError(attach.error, "gateway")}
              onChange={(event) => set("gateway", event.target.value)}
            />
          </>
        )}
      </div>
      {pickError && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {pickError}
        </p>
      )}
      <Button
        type="submit"
        variant="primary"
        isPending={attach.isPending}
        disabled={!form.container || !form.link}
      >
        {t("add")}
      </Button>
      {otherError && <ErrorAlert error={attach.error} title={t("addError")} />}
      {attach.isSuccess && (
        <div role="status" className="space-y-2 text-sm">
          <p>
            {t("added", {
              index: String(attach.data.index),
              mac: attach.data.hwaddr,
              container: attach.variables?.container ?? "",
            })}
          </p>
          <DiffView diff={attach.data.diff} label={t("diff")} />
        </div>
      )}
    </form>
  );
}

/** The container page's list of interfaces, with removal (confirmed) and the form to add one. */
export function ContainerNics({ name, canChange }: { name: string; canChange: boolean }) {
  const t = useTranslations("network.nics");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const nics = useQuery(trpc.network.nics.queryOptions({ name }));
  const [removing, setRemoving] = useState<number | null>(null);
  const detach = useMutation(
    trpc.network.detach.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries(trpc.network.pathFilter()),
    }),
  );
  if (nics.isPending) return null;
  if (nics.isError) return <ErrorAlert error={nics.error} title={t("readError")} />;
  return (
    <section aria-labelledby="nics-heading" className="space-y-3">
      <h2 id="nics-heading" className="text-lg font-semibold">
        {t("heading")}
      </h2>
      {nics.data.nics.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">{t("empty")}</p>
      ) : (
        <DataTable
          caption={t("caption")}
          columns={[
            t("columns.interface"),
            t("columns.type"),
            t("columns.link"),
            t("columns.address"),
            t("columns.mac"),
            "",
          ]}
        >
          {nics.data.nics.map((nic) => (
            <tr key={nic.index} data-nic={nic.index}>
              <th scope="row" className="font-medium">
                {nic.name ?? `lxc.net.${nic.index}`}
              </th>
              <td>{nic.type ?? "–"}</td>
              <td>{nic.link ?? "–"}</td>
              <td className="font-mono text-xs">
                {nic.gateway
                  ? t("via", { address: nic.ipv4.join(", ") || t("dhcp"), gateway: nic.gateway })
                  : nic.ipv4.join(", ") || t("dhcp")}
              </td>
              <td className="font-mono text-xs">{nic.hwaddr ?? "–"}</td>
              <td>
                {canChange && (
                  <Button size="sm" variant="ghost" onClick={() => setRemoving(nic.index)}>
                    {t("remove", { name: nic.name ?? `lxc.net.${nic.index}` })}
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {detach.isError && <ErrorAlert error={detach.error} title={t("removeError")} />}
      <ConfirmDialog
        open={removing !== null}
        title={t("confirmRemove.title")}
        confirmLabel={t("confirmRemove.confirm")}
        onCancel={() => setRemoving(null)}
        onConfirm={() => {
          if (removing !== null)
            detach.mutate({ container: name, index: removing, baseVersion: nics.data.version });
          setRemoving(null);
        }}
      >
        <p>{t("confirmRemove.body", { index: String(removing ?? "") })}</p>
      </ConfirmDialog>
      {canChange && (
        <details className="rounded-md border border-slate-200 p-3 dark:border-slate-800">
          <summary className="cursor-pointer font-medium">{t("addHeading")}</summary>
          <div className="mt-3">
            <AttachNicForm container={name} />
          </div>
        </details>
      )}
    </section>
  );
}
