"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useFormat } from "@/components/i18n/use-format";
import { useTRPC } from "@/components/trpc";
import { Button, Spinner } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { ErrorAlert } from "@/components/ui/error-alert";
import { COLORS } from "@/components/metrics/colors";
import { useSparklines, type TSparkline } from "@/components/metrics/metrics-feed";
import { Sparkline } from "@/components/metrics/time-chart";
import { ContainerActions } from "./container-actions";
import { StateBadge } from "./state-badge";

// Columns a phone leaves out (under 640 px): the name, state and actions fit its width; the rest is on the
// container's Overview.
const ON_WIDE = "hidden sm:table-cell";

export function ContainersTable() {
  const trpc = useTRPC();
  const list = useQuery(trpc.containers.list.queryOptions(undefined));
  const usage = useSparklines();
  const t = useTranslations("containers.list");
  const f = useFormat();
  const nowOf = (name: string) => usage.latest?.summary?.find((row) => row.name === name);

  if (list.isPending) {
    return (
      <p role="status" className="flex items-center gap-2 text-slate-600 dark:text-slate-300">
        <Spinner /> {t("loading")}
      </p>
    );
  }
  if (list.isError) {
    return (
      <div className="space-y-2">
        <ErrorAlert error={list.error} title={t("loadError")} />
        <Button onClick={() => void list.refetch()}>{t("tryAgain")}</Button>
      </div>
    );
  }
  if (list.data.length === 0) {
    return (
      <div className="rounded-lg border border-dashed border-slate-300 p-8 text-center dark:border-slate-700">
        <p className="mb-3">{t("empty")}</p>
        <Link href="/containers/new" className="text-sky-700 underline dark:text-sky-400">
          {t("createFirst")}
        </Link>
      </div>
    );
  }

  return (
    <DataTable
      caption={t("caption")}
      columns={[
        t("columns.name"),
        t("columns.state"),
        { label: t("columns.cpu"), className: ON_WIDE },
        { label: t("columns.memory"), className: ON_WIDE },
        { label: t("columns.addresses"), className: ON_WIDE },
        { label: t("columns.autostart"), className: ON_WIDE },
        t("columns.actions"),
      ]}
    >
      {list.data.map((container) => {
        const now = nowOf(container.name);
        const cpu = f.percent(now?.cpu);
        const memory = f.bytes(now?.memory);
        return (
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
              label={t("cpuLabel", { name: container.name, value: cpu })}
              text={cpu}
              line={usage.lines.get(container.name)}
              series="cpu"
            />
            <UsageCell
              label={t("memoryLabel", { name: container.name, value: memory })}
              text={memory}
              line={usage.lines.get(container.name)}
              series="memory"
              max={now?.memoryLimit ?? undefined}
            />
            <td className={`px-4 py-2 font-mono text-xs ${ON_WIDE}`}>
              {[...container.ipv4, ...container.ipv6].join(", ") || <span className="text-slate-400">–</span>}
            </td>
            <td className={`px-4 py-2 ${ON_WIDE}`}>{container.autostart ? t("yes") : t("no")}</td>
            <td className="px-4 py-2">
              <ContainerActions container={container} layout="row" />
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}

/** Now, in figures, and the last minute as a sparkline (running containers only); `label` names both. */
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
    <td className={`px-4 py-2 ${ON_WIDE}`}>
      {line ? (
        <div className="flex items-center gap-2">
          <Sparkline
            label={label}
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
