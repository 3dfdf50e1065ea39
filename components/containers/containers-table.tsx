"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc";
import { Button, Spinner } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { ErrorAlert } from "@/components/ui/error-alert";
import { COLORS } from "@/components/metrics/colors";
import { formatBytes, formatPercent } from "@/components/lib/format";
import { useSparklines, type TSparkline } from "@/components/metrics/metrics-feed";
import { Sparkline } from "@/components/metrics/time-chart";
import { ContainerActions } from "./container-actions";
import { StateBadge } from "./state-badge";

export function ContainersTable() {
  const trpc = useTRPC();
  const list = useQuery(trpc.containers.list.queryOptions(undefined));
  const usage = useSparklines();
  const nowOf = (name: string) => usage.latest?.summary?.find((row) => row.name === name);

  if (list.isPending) {
    return (
      <p role="status" className="flex items-center gap-2 text-slate-600 dark:text-slate-300">
        <Spinner /> Loading containers…
      </p>
    );
  }
  if (list.isError) {
    return (
      <div className="space-y-2">
        <ErrorAlert error={list.error} title="The containers could not be listed" />
        <Button onClick={() => void list.refetch()}>Try again</Button>
      </div>
    );
  }
  if (list.data.length === 0) {
    return (
      <div className="rounded-lg border border-dashed border-slate-300 p-8 text-center dark:border-slate-700">
        <p className="mb-3">No containers yet.</p>
        <Link href="/containers/new" className="text-sky-700 underline dark:text-sky-400">
          Create the first one
        </Link>
      </div>
    );
  }

  return (
    <DataTable
      caption="Containers, with their state, addresses and actions"
      columns={["Name", "State", "CPU", "Memory", "Addresses", "Autostart", "Actions"]}
    >
      {list.data.map((container) => (
        <tr
          key={container.name}
          data-container={container.name}
          className="border-b border-slate-100 last:border-0 dark:border-slate-800"
        >
          <th scope="row" className="px-4 py-2 font-medium">
            <Link
              href={`/containers/${encodeURIComponent(container.name)}`}
              className="text-sky-700 hover:underline dark:text-sky-400"
            >
              {container.name}
            </Link>
          </th>
          <td className="px-4 py-2">
            <StateBadge state={container.state} busy={container.busy} />
          </td>
          <UsageCell
            label={`CPU of ${container.name} over the last minute`}
            text={formatPercent(nowOf(container.name)?.cpu)}
            line={usage.lines.get(container.name)}
            series="cpu"
          />
          <UsageCell
            label={`Memory of ${container.name} over the last minute`}
            text={formatBytes(nowOf(container.name)?.memory)}
            line={usage.lines.get(container.name)}
            series="memory"
            max={nowOf(container.name)?.memoryLimit ?? undefined}
          />
          <td className="px-4 py-2 font-mono text-xs">
            {[...container.ipv4, ...container.ipv6].join(", ") || <span className="text-slate-400">–</span>}
          </td>
          <td className="px-4 py-2">{container.autostart ? "Yes" : "No"}</td>
          <td className="px-4 py-2">
            <ContainerActions container={container} layout="row" />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/** Now, in figures, and the last minute as a sparkline (running containers only). */
function UsageCell({
  label,
  text,
  line,
  series,
  max,
}: {
  label: string;
  text: string;
  line: TSparkline | undefined;
  series: "cpu" | "memory";
  max?: number;
}) {
  return (
    <td className="px-4 py-2">
      {line ? (
        <div className="flex items-center gap-2">
          <Sparkline
            label={`${label}: now ${text}`}
            t={line.t}
            values={line[series]}
            color={[...(series === "cpu" ? COLORS.cpu : COLORS.memory)]}
            max={series === "cpu" ? 10 : max}
          />
          <span className="w-20 whitespace-nowrap text-right text-xs tabular-nums">{text}</span>
        </div>
      ) : (
        <span className="text-slate-400">–</span>
      )}
    </td>
  );
}
