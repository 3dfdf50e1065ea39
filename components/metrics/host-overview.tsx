"use client";

import Link from "next/link";
import { Spinner } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { formatBytes, formatPercent } from "@/components/lib/format";
import { useMetrics, type TMetricsSnapshot } from "./metrics-feed";

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
type TRow = NonNullable<TMetricsSnapshot["summary"]>[number];

/** A ranking of containers, each linked to its page. */
function TopTable({
  id,
  title,
  caption,
  rows,
  columns,
}: {
  id: string;
  title: string;
  caption: string;
  rows: TRow[];
  columns: [string, (row: TRow) => string][];
}) {
  return (
    <section aria-labelledby={id} className="space-y-2">
      <h2 id={id} className="text-lg font-semibold">
        {title}
      </h2>
      {rows.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">No container is running.</p>
      ) : (
        <DataTable caption={caption} columns={["Name", ...columns.map(([heading]) => heading)]}>
          {rows.map((row) => (
            <tr key={row.name} className="border-b border-slate-100 last:border-0 dark:border-slate-800">
              <th scope="row" className="px-4 py-2 font-medium">
                <Link
                  href={`/containers/${encodeURIComponent(row.name)}`}
                  className="text-sky-700 hover:underline dark:text-sky-400"
                >
                  {row.name}
                </Link>
              </th>
              {columns.map(([heading, cell]) => (
                <td key={heading} className="px-4 py-2 tabular-nums">
                  {cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

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
        <TopTable
          id="top-cpu"
          title="Top containers by CPU"
          caption="The running containers using the most CPU"
          rows={byCpu}
          columns={[
            ["CPU", (row) => formatPercent(row.cpu)],
            ["Memory", (row) => formatBytes(row.memory)],
          ]}
        />
        <TopTable
          id="top-memory"
          title="Top containers by memory"
          caption="The running containers using the most memory"
          rows={byMemory}
          columns={[
            ["Memory", (row) => formatBytes(row.memory)],
            ["Limit", (row) => (row.memoryLimit === null ? "none" : formatBytes(row.memoryLimit))],
          ]}
        />
      </div>
    </div>
  );
}
