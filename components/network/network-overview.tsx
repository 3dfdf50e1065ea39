"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import type { ReactNode } from "react";
import { useSession } from "@/components/auth/use-session";
import { useTRPC } from "@/components/trpc";
import { Spinner } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { ErrorAlert } from "@/components/ui/error-alert";
import { useFormat } from "@/components/i18n/use-format";
import { Persistence, PendingChange, RecentChanges } from "./applied-changes";
import { ChangePlanner } from "./change-planner";
import { AttachNicForm } from "./container-nics";
import { NatPanel } from "./nat-panel";
import { useWords } from "./use-words";

/**
 * The host's network, read with iproute2 and refreshed every few seconds: which interface carries this browser's
 * session (changing it could cut you off), bridges with their ports and containers, every interface, every route.
 */
const REFRESH_MS = 5000;

const containerLink = (name: string, children: ReactNode = name) => (
  <Link
    href={`/containers/${encodeURIComponent(name)}`}
    className="text-sky-700 hover:underline dark:text-sky-400"
  >
    {children}
  </Link>
);

// The readiness checks' names, by their id (their detail and fix are worded from the words the server sends).
const CHECK_TITLES = {
  "network-manager": "networkManager",
  "udev-persistent-net": "udevPersistentNet",
  "systemd-networkd": "systemdNetworkd",
} as const;

export function NetworkOverview() {
  const t = useTranslations("network.overview");
  const f = useFormat();
  const trpc = useTRPC();
  const network = useQuery({ ...trpc.network.list.queryOptions(), refetchInterval: REFRESH_MS });
  const session = useSession();
  if (network.isPending)
    return (
      <p role="status" className="flex items-center gap-2">
        <Spinner /> {t("loading")}
      </p>
    );
  if (network.isError) return <ErrorAlert error={network.error} title={t("readError")} />;
  const { interfaces, bridges, routes, session: browser } = network.data;
  const none = <span className="text-slate-400">–</span>;
  // The session sentence's selects (network.overview.session).
  const sessionWords = {
    hasAddress: browser.serverAddress ? "yes" : "no",
    address: browser.serverAddress ?? "",
    onDefaultRoute: browser.isOnDefaultRoute ? "yes" : "no",
  };
  return (
    <div className="space-y-6">
      <p
        data-testid="session-interface"
        className="rounded-md border border-sky-200 bg-sky-50 p-3 text-sm dark:border-sky-900 dark:bg-sky-950"
      >
        {t.rich("session", {
          b: (chunks) => <strong>{chunks}</strong>,
          name: browser.interface ?? t("sessionUnknown"),
          ...sessionWords,
        })}
      </p>

      <PendingChange canChange={session.can("admin")} />

      <Readiness />

      <section aria-labelledby="bridges-heading" className="space-y-2">
        <h2 id="bridges-heading" className="text-lg font-semibold">
          {t("bridges.heading")}
        </h2>
        {bridges.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-300">{t("bridges.empty")}</p>
        ) : (
          <DataTable
            caption={t("bridges.caption")}
            columns={[
              t("bridges.columns.bridge"),
              t("bridges.columns.addresses"),
              t("bridges.columns.stp"),
              t("bridges.columns.ports"),
              t("bridges.columns.containers"),
            ]}
          >
            {bridges.map((bridge) => {
              const own = interfaces.find((entry) => entry.name === bridge.name);
              return (
                <tr key={bridge.name} data-bridge={bridge.name}>
                  <th scope="row" className="font-medium">
                    {bridge.name}
                  </th>
                  <td className="font-mono text-xs">
                    {own?.addresses.map((address) => address.cidr).join(", ") || none}
                  </td>
                  <td>
                    {bridge.stp === null ? none : bridge.stp ? t("bridges.stpOn") : t("bridges.stpOff")}
                    {bridge.forwardDelay !== null &&
                      `, ${t("bridges.delay", { seconds: String(bridge.forwardDelay) })}`}
                  </td>
                  <td className="font-mono text-xs">{bridge.ports.join(", ") || none}</td>
                  <td>
                    {bridge.containers.length === 0
                      ? none
                      : bridge.containers.map((name, index) => (
                          <span key={name}>
                            {index > 0 && ", "}
                            {containerLink(name)}
                          </span>
                        ))}
                  </td>
                </tr>
              );
            })}
          </DataTable>
        )}
      </section>

      <section aria-labelledby="interfaces-heading" className="space-y-2">
        <h2 id="interfaces-heading" className="text-lg font-semibold">
          {t("interfaces.heading")}
        </h2>
        <DataTable
          caption={t("interfaces.caption")}
          columns={[
            t("interfaces.columns.name"),
            t("interfaces.columns.kind"),
            t("interfaces.columns.state"),
            t("interfaces.columns.addresses"),
            t("interfaces.columns.bridge"),
            t("interfaces.columns.mac"),
            t("interfaces.columns.mtu"),
            t("interfaces.columns.received"),
            t("interfaces.columns.sent"),
          ]}
        >
          {interfaces.map((entry) => (
            <tr key={entry.name} data-interface={entry.name}>
              <th scope="row" className="font-medium">
                {entry.name}
                {entry.container && (
                  <span className="block text-xs font-normal">
                    {t.rich("interfaces.container", {
                      name: entry.container,
                      link: (chunks) => containerLink(entry.container ?? "", chunks),
                    })}
                  </span>
                )}
              </th>
              <td>{t("interfaces.kind", { kind: entry.kind })}</td>
              <td>
                <span className="inline-flex items-center gap-1.5">
                  <span
                    aria-hidden="true"
                    className={`inline-block h-2 w-2 rounded-full ${entry.isUp ? "bg-emerald-500" : "bg-slate-400"}`}
                  />
                  {entry.isUp ? t("interfaces.up") : t("interfaces.down")}
                  {entry.state !== "UP" &&
                    entry.state !== "UNKNOWN" &&
                    ` ${t("interfaces.operState", { state: entry.state.toLowerCase() })}`}
                </span>
              </td>
              <td className="font-mono text-xs">
                {entry.addresses
                  .filter((address) => address.scope !== "link")
                  .map((address) => address.cidr)
                  .join(", ") || none}
              </td>
              <td>{entry.master ?? none}</td>
              <td className="font-mono text-xs">{entry.mac ?? none}</td>
              <td className="tabular-nums">{entry.mtu}</td>
              <td className="tabular-nums">{f.bytes(entry.rxBytes)}</td>
              <td className="tabular-nums">{f.bytes(entry.txBytes)}</td>
            </tr>
          ))}
        </DataTable>
      </section>

      <section aria-labelledby="routes-heading" className="space-y-2">
        <h2 id="routes-heading" className="text-lg font-semibold">
          {t("routes.heading")}
        </h2>
        <DataTable
          caption={t("routes.caption")}
          columns={[
            t("routes.columns.destination"),
            t("routes.columns.gateway"),
            t("routes.columns.interface"),
            t("routes.columns.source"),
          ]}
        >
          {routes.map((route, index) => (
            <tr key={`${route.family}-${route.destination}-${index}`}>
              <th scope="row" className="font-mono text-xs font-medium">
                {route.destination}
                {route.isDefault && (
                  <span className="ml-2 font-sans font-normal">
                    {t("routes.default", { ipv6: route.family === "inet6" ? "yes" : "no" })}
                  </span>
                )}
              </th>
              <td className="font-mono text-xs">{route.gateway ?? none}</td>
              <td>{route.dev ?? none}</td>
              <td className="font-mono text-xs">{route.source ?? none}</td>
            </tr>
          ))}
        </DataTable>
      </section>

      {session.can("admin") ? (
        <ChangePlanner network={network.data} />
      ) : (
        <p className="text-sm text-slate-600 dark:text-slate-300">{t("adminsOnly")}</p>
      )}

      <NatPanel canChange={session.can("admin")} />

      {session.can("operator") && (
        <section aria-labelledby="connect-heading" className="space-y-2">
          <h2 id="connect-heading" className="text-lg font-semibold">
            {t("connectHeading")}
          </h2>
          <AttachNicForm />
        </section>
      )}

      <Persistence />
      <RecentChanges />
    </div>
  );
}

/** What on this host could take over containers' veths (NetworkManager, udev, systemd-networkd), with the fix. */
function Readiness() {
  const t = useTranslations("network.overview.readiness");
  const say = useWords();
  const trpc = useTRPC();
  const readiness = useQuery(trpc.network.readiness.queryOptions());
  if (readiness.isPending) return <p role="status">{t("loading")}</p>;
  if (readiness.isError) return <ErrorAlert error={readiness.error} title={t("readError")} />;
  return (
    <section aria-labelledby="readiness-heading" className="space-y-2">
      <h2 id="readiness-heading" className="text-lg font-semibold">
        {t("heading")}
      </h2>
      <ul className="space-y-2">
        {readiness.data.map((check) => (
          <li
            key={check.id}
            data-check={check.id}
            className="rounded-md border border-slate-200 p-3 text-sm dark:border-slate-800"
          >
            <p>
              {t.rich("line", {
                status: check.status === "ok" ? t("ok") : t("warning"),
                title: t(`titles.${CHECK_TITLES[check.id]}`),
                detail: say(check.detail, check.detailWords),
                mark: (chunks) => (
                  <span
                    className={
                      check.status === "ok"
                        ? "font-medium text-emerald-700 dark:text-emerald-300"
                        : "font-medium text-amber-700 dark:text-amber-300"
                    }
                  >
                    {chunks}
                  </span>
                ),
                b: (chunks) => <strong>{chunks}</strong>,
              })}
            </p>
            {check.fix && (
              <pre className="mt-2 overflow-x-auto rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-800">
                {say(check.fix, check.fixWords)}
              </pre>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
