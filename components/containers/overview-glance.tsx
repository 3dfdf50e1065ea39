"use client";

import { useTranslations } from "next-intl";
import { useFormat } from "@/components/i18n/use-format";
import { useMetrics } from "@/components/metrics/metrics-feed";

type TMeterProps = { label: string; value: number; max: number; text: string };

/** A bar of how much of a limit is used: a meter for screen readers, with the figures in words. */
function Meter({ label, value, max, text }: TMeterProps) {
  const ratio = max > 0 ? Math.min(1, Math.max(0, value / max)) : 0;
  const tone = ratio >= 0.9 ? "bg-red-600 dark:bg-red-400" : ratio >= 0.7 ? "bg-amber-500" : "bg-sky-600";
  return (
    <div
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={Math.min(value, max)}
      aria-valuetext={text}
      className="h-2 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
    >
      <div className={`h-full ${tone}`} style={{ width: `${(ratio * 100).toFixed(1)}%` }} />
    </div>
  );
}

function Row({ label, text, meter }: { label: string; text: string; meter?: TMeterProps }) {
  return (
    <div className="space-y-1.5 px-4 py-2.5">
      <div className="flex flex-wrap justify-between gap-x-4 text-sm">
        <span className="text-slate-500 dark:text-slate-400">{label}</span>
        <span className="tabular-nums">{text}</span>
      </div>
      {meter && <Meter {...meter} />}
    </div>
  );
}

/**
 * Limits against usage at a glance (memory, CPUs, processes), live from the sampler's ticks: what is used of each
 * limit, or that there is none. A stopped container uses nothing.
 */
export function OverviewGlance({ name, isRunning }: { name: string; isRunning: boolean }) {
  const t = useTranslations("containers.glance");
  const f = useFormat();
  const snapshot = useMetrics({ containers: isRunning ? [name] : [] });
  const sample = isRunning ? snapshot?.containers?.[name] : null;
  return (
    <section aria-labelledby="glance-heading" className="space-y-2">
      <h3 id="glance-heading" className="text-base font-semibold">
        {t("heading")}
      </h3>
      <div className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900">
        {!isRunning ? (
          <p className="px-4 py-3 text-sm text-slate-500 dark:text-slate-400">{t("notRunning")}</p>
        ) : !sample ? (
          <p role="status" className="px-4 py-3 text-sm text-slate-500 dark:text-slate-400">
            {t("waiting")}
          </p>
        ) : (
          <>
            {sample.memory.limit === null ? (
              <Row label={t("memory")} text={t("memoryNoLimit", { used: f.bytes(sample.memory.usage) })} />
            ) : (
              <Row
                label={t("memory")}
                text={t("memoryOfLimit", {
                  used: f.bytes(sample.memory.usage),
                  limit: f.bytes(sample.memory.limit),
                  percent: f.percent((sample.memory.usage / sample.memory.limit) * 100),
                })}
                meter={{
                  label: t("memory"),
                  value: sample.memory.usage,
                  max: sample.memory.limit,
                  text: t("memoryOfLimit", {
                    used: f.bytes(sample.memory.usage),
                    limit: f.bytes(sample.memory.limit),
                    percent: f.percent((sample.memory.usage / sample.memory.limit) * 100),
                  }),
                }}
              />
            )}
            <Row
              label={t("cpu")}
              text={
                sample.cpu.cpusetCpus === null
                  ? f.percent(sample.cpu.percent)
                  : t("cpuOfCpus", {
                      percent: f.percent(sample.cpu.percentOfCpuset),
                      cpus: sample.cpu.cpusetCpus,
                    })
              }
              {...(sample.cpu.percentOfCpuset === null
                ? {}
                : {
                    meter: {
                      label: t("cpu"),
                      value: sample.cpu.percentOfCpuset,
                      max: 100,
                      text: f.percent(sample.cpu.percentOfCpuset),
                    },
                  })}
            />
            {sample.pids.current !== null && (
              <Row
                label={t("processes")}
                text={
                  sample.pids.limit === null
                    ? t("processesNoLimit", { count: sample.pids.current })
                    : t("processesOfLimit", { count: sample.pids.current, limit: sample.pids.limit })
                }
                {...(sample.pids.limit === null
                  ? {}
                  : {
                      meter: {
                        label: t("processes"),
                        value: sample.pids.current,
                        max: sample.pids.limit,
                        text: t("processesOfLimit", {
                          count: sample.pids.current,
                          limit: sample.pids.limit,
                        }),
                      },
                    })}
              />
            )}
          </>
        )}
      </div>
    </section>
  );
}
