"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useSession } from "@/components/auth/use-session";
import { useTRPC } from "@/components/trpc";
import { Spinner } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { ErrorAlert } from "@/components/ui/error-alert";
import { formatBytes } from "@/components/lib/format";
import { Persistence, PendingChange, RecentChanges } from "./applied-changes";
import { ChangePlanner } from "./change-planner";
import { AttachNicForm } from "./container-nics";
import { NatPanel } from "./nat-panel";

/**
 * The host's network, read with iproute2 and refreshed every few seconds: which interface carries this browser's
 * session (changing it could cut you off), bridges with their ports and containers, every interface, every route.
 */
const REFRESH_MS = 5000;

const containerLink = (name: string) => (
  <Link
    href={`/containers/${encodeURIComponent(name)}`}
    className="text-sky-700 hover:underline dark:text-sky-400"
  >
    {name}
  </Link>
);

export function NetworkOverview() {
  const trpc = useTRPC();
  const network = useQuery({ ...trpc.network.list.queryOptions(), refetchInterval: REFRESH_MS });
  const session = useSession();
  if (network.isPending)
    return (
      <p role="status" className="flex items-center gap-2">
        <Spinner /> Reading the host&apos;s network…
      </p>
    );
  if (network.isError)
    return <ErrorAlert error={network.error} title="The host's network could not be read" />;
  const { interfaces, bridges, routes, session: browser } = network.data;
  const none = <span className="text-slate-400">–</span>;
  return (
    <div className="space-y-6">
      <p
        data-testid="session-interface"
        className="rounded-md border border-sky-200 bg-sky-50 p-3 text-sm dark:border-sky-900 dark:bg-sky-950"
      >
        This browser reaches Atelier on <strong>{browser.interface ?? "an interface not found here"}</strong>
        {browser.serverAddress && <> ({browser.serverAddress})</>}
        {browser.isOnDefaultRoute ? ", the interface of the default route" : ""}. Changing it could cut this
        session off.
      </p>

      <PendingChange canChange={session.can("admin")} />

      <Readiness />

      <section aria-labelledby="bridges-heading" className="space-y-2">
        <h2 id="bridges-heading" className="text-lg font-semibold">
          Bridges
        </h2>
        {bridges.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-300">
            No bridge: containers with a veth interface need one (the default config links them to lxcbr0).
          </p>
        ) : (
          <DataTable
            caption="Bridges, their addresses, ports and containers"
            columns={["Bridge", "Addresses", "STP", "Ports", "Containers"]}
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
                    {bridge.stp === null ? none : bridge.stp ? "on" : "off"}
                    {bridge.forwardDelay !== null && `, delay ${bridge.forwardDelay} s`}
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
          Interfaces
        </h2>
        <DataTable
          caption="Every interface of the host"
          columns={["Name", "Kind", "State", "Addresses", "Bridge", "MAC", "MTU", "Received", "Sent"]}
        >
          {interfaces.map((entry) => (
            <tr key={entry.name} data-interface={entry.name}>
              <th scope="row" className="font-medium">
                {entry.name}
                {entry.container && (
                  <span className="block text-xs font-normal">
                    container {containerLink(entry.container)}
                  </span>
                )}
              </th>
              <td>{entry.kind}</td>
              <td>
                <span className="inline-flex items-center gap-1.5">
                  <span
                    aria-hidden="true"
                    className={`inline-block h-2 w-2 rounded-full ${entry.isUp ? "bg-emerald-500" : "bg-slate-400"}`}
                  />
                  {entry.isUp ? "up" : "down"}
                  {entry.state !== "UP" && entry.state !== "UNKNOWN" && ` (${entry.state.toLowerCase()})`}
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
              <td className="tabular-nums">{formatBytes(entry.rxBytes)}</td>
              <td className="tabular-nums">{formatBytes(entry.txBytes)}</td>
            </tr>
          ))}
        </DataTable>
      </section>

      <section aria-labelledby="routes-heading" className="space-y-2">
        <h2 id="routes-heading" className="text-lg font-semibold">
          Routes
        </h2>
        <DataTable
          caption="The main routing table"
          columns={["Destination", "Gateway", "Interface", "Source"]}
        >
          {routes.map((route, index) => (
            <tr key={`${route.family}-${route.destination}-${index}`}>
              <th scope="row" className="font-mono text-xs font-medium">
                {route.destination}
                {route.isDefault && (
                  <span className="ml-2 font-sans font-normal">
                    (default{route.family === "inet6" ? ", IPv6" : ""})
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
        <p className="text-sm text-slate-600 dark:text-slate-300">
          Admins can change the host&apos;s network here.
        </p>
      )}

      <NatPanel canChange={session.can("admin")} />

      {session.can("operator") && (
        <section aria-labelledby="connect-heading" className="space-y-2">
          <h2 id="connect-heading" className="text-lg font-semibold">
            Connect a container
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
  const trpc = useTRPC();
  const readiness = useQuery(trpc.network.readiness.queryOptions());
  if (readiness.isPending) return <p role="status">Checking the host…</p>;
  if (readiness.isError) return <ErrorAlert error={readiness.error} title="The host could not be checked" />;
  return (
    <section aria-labelledby="readiness-heading" className="space-y-2">
      <h2 id="readiness-heading" className="text-lg font-semibold">
        Host readiness for container networking
      </h2>
      <ul className="space-y-2">
        {readiness.data.map((check) => (
          <li
            key={check.id}
            data-check={check.id}
            className="rounded-md border border-slate-200 p-3 text-sm dark:border-slate-800"
          >
            <p>
              <span
                className={
                  check.status === "ok"
                    ? "font-medium text-emerald-700 dark:text-emerald-300"
                    : "font-medium text-amber-700 dark:text-amber-300"
                }
              >
                {check.status === "ok" ? "OK" : "Needs attention"}
              </span>{" "}
              · <strong>{check.title}</strong>: {check.detail}
            </p>
            {check.fix && (
              <pre className="mt-2 overflow-x-auto rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-800">
                {check.fix}
              </pre>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
