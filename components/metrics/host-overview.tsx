"use client";

import Link from "next/link";
import { Spinner } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { formatBytes, formatPercent } from "./format";
import { useMetrics } from "./metrics-feed";

function Card({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <dt className="text-sm text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums">{value}</dd>
      {detail && <dd className="text-xs text-slate-500 dark:text-slate-400">{detail}</dd>}
    </div>
  );
}

const TOP = 5;

/** The host at a glance, live: totals, and the containers using the most CPU and memory. */
export function HostOverview() {
  const latest = useMetrics({ host: true, summary: true });
  const host = latest?.host;
  if (!latest || latest.t === null || !host) {
    return (
      <p role="status" className="flex items-center gap-2">
        <Spinner /> Waiting for the first sample…
      </p>
    );
  }
  const rows = latest.summary ?? [];
  const byCpu = [...rows].sort((a, b) => (b.cpu ?? 0) - (a.cpu ?? 0)).slice(0, TOP);
  const byMemory = [...rows].sort((a, b) => b.memory - a.memory).slice(0, TOP);
  const containerCpu = rows.reduce((sum, row) => sum + (row.cpu ?? 0), 0);
  const containerMemory = rows.reduce((sum, row) => sum + row.memory, 0);
  const link = (name: string) => (
    <Link
      href={`/containers/${encodeURIComponent(name)}`}
      className="text-sky-700 hover:underline dark:text-sky-400"
    >
      {name}
    </Link>
  );
  return (
    <div className="space-y-6">
      <dl aria-label="Host totals" className="grid grid-cols-2 gap-3 md:grid-cols-3 lg:grid-cols-5">
        <Card
          label={`CPU (${host.cpus} CPU${host.cpus === 1 ? "" : "s"})`}
          value={formatPercent(host.cpu.percent)}
          detail={`containers: ${formatPercent(containerCpu)}`}
        />
        <Card
          label="Memory"
          value={formatBytes(host.memory.used)}
          detail={`of ${formatBytes(host.memory.total)}; containers: ${formatBytes(containerMemory)}`}
        />
        <Card label="Load (1, 5, 15 min)" value={host.load.map((value) => value.toFixed(2)).join(" ")} />
        <Card
          label="Disk free (lxcpath)"
          value={host.disk ? formatBytes(host.disk.available) : "–"}
          detail={host.disk ? `of ${formatBytes(host.disk.total)}` : undefined}
        />
        <Card
          label="Containers running"
          value={`${host.containers.running}`}
          detail={`of ${host.containers.total}`}
        />
      </dl>
      <div className="grid gap-6 lg:grid-cols-2">
        <section aria-labelledby="top-cpu" className="space-y-2">
          <h2 id="top-cpu" className="text-lg font-semibold">
            Top containers by CPU
          </h2>
          {byCpu.length === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-300">No container is running.</p>
          ) : (
            <DataTable
              caption="The running containers using the most CPU"
              columns={["Name", "CPU", "Memory"]}
            >
              {byCpu.map((row) => (
                <tr key={row.name} className="border-b border-slate-100 last:border-0 dark:border-slate-800">
                  <th scope="row" className="px-4 py-2 font-medium">
                    {link(row.name)}
                  </th>
                  <td className="px-4 py-2 tabular-nums">{formatPercent(row.cpu)}</td>
                  <td className="px-4 py-2 tabular-nums">{formatBytes(row.memory)}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </section>
        <section aria-labelledby="top-memory" className="space-y-2">
          <h2 id="top-memory" className="text-lg font-semibold">
            Top containers by memory
          </h2>
          {byMemory.length === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-300">No container is running.</p>
          ) : (
            <DataTable
              caption="The running containers using the most memory"
              columns={["Name", "Memory", "Limit"]}
            >
              {byMemory.map((row) => (
                <tr key={row.name} className="border-b border-slate-100 last:border-0 dark:border-slate-800">
                  <th scope="row" className="px-4 py-2 font-medium">
                    {link(row.name)}
                  </th>
                  <td className="px-4 py-2 tabular-nums">{formatBytes(row.memory)}</td>
                  <td className="px-4 py-2 tabular-nums">
                    {row.memoryLimit === null ? "none" : formatBytes(row.memoryLimit)}
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </section>
      </div>
    </div>
  );
}
