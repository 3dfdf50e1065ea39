"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { useFormat } from "@/components/i18n/use-format";
import { Spinner } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
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
  const t = useTranslations("host");
  return (
    <section aria-labelledby={id} className="space-y-2">
      <h2 id={id} className="text-lg font-semibold">
        {title}
      </h2>
      {rows.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">{t("noneRunning")}</p>
      ) : (
        <DataTable caption={caption} columns={[t("name"), ...columns.map(([heading]) => heading)]}>
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
  const t = useTranslations("host");
  const f = useFormat();
  const latest = useMetrics({ host: true, summary: true });
  const host = latest?.host;
  if (!latest || latest.t === null || !host) {
    return (
      <p role="status" className="flex items-center gap-2">
        <Spinner /> {t("waiting")}
      </p>
    );
  }
  const rows = latest.summary ?? [];
  const byCpu = [...rows].sort((a, b) => (b.cpu ?? 0) - (a.cpu ?? 0)).slice(0, TOP);
  const byMemory = [...rows].sort((a, b) => b.memory - a.memory).slice(0, TOP);
  const containerCpu = rows.reduce((sum, row) => sum + (row.cpu ?? 0), 0);
  const containerMemory = rows.reduce((sum, row) => sum + row.memory, 0);
  // The load averages, two decimals as the kernel writes them, in the page's language.
  const loadFormat = new Intl.NumberFormat(f.locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  return (
    <div className="space-y-6">
      <dl aria-label={t("totals")} className="grid grid-cols-2 gap-3 md:grid-cols-3 lg:grid-cols-5">
        <Card
          label={t("cpu", { count: host.cpus })}
          value={f.percent(host.cpu.percent)}
          detail={t("containersShare", { value: f.percent(containerCpu) })}
        />
        <Card
          label={t("memory")}
          value={f.bytes(host.memory.used)}
          detail={t("memoryDetail", {
            total: f.bytes(host.memory.total),
            containers: f.bytes(containerMemory),
          })}
        />
        <Card label={t("load")} value={host.load.map((value) => loadFormat.format(value)).join(" ")} />
        <Card
          label={t("diskFree")}
          value={host.disk ? f.bytes(host.disk.available) : "–"}
          detail={host.disk ? t("ofTotal", { total: f.bytes(host.disk.total) }) : undefined}
        />
        <Card
          label={t("running")}
          value={f.count(host.containers.running)}
          detail={t("ofTotal", { total: f.count(host.containers.total) })}
        />
      </dl>
      <div className="grid gap-6 lg:grid-cols-2">
        <TopTable
          id="top-cpu"
          title={t("topCpu.title")}
          caption={t("topCpu.caption")}
          rows={byCpu}
          columns={[
            [t("cpuColumn"), (row) => f.percent(row.cpu)],
            [t("memory"), (row) => f.bytes(row.memory)],
          ]}
        />
        <TopTable
          id="top-memory"
          title={t("topMemory.title")}
          caption={t("topMemory.caption")}
          rows={byMemory}
          columns={[
            [t("memory"), (row) => f.bytes(row.memory)],
            [t("limit"), (row) => (row.memoryLimit === null ? t("noLimit") : f.bytes(row.memoryLimit))],
          ]}
        />
      </div>
    </div>
  );
}
