"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { useSession } from "@/components/auth/use-session";
import { AutostartToggle } from "@/components/autostart/autostart-toggle";
import { useFormat } from "@/components/i18n/use-format";
import { BindMountsCard } from "./bind-mounts-card";
import { IsolationCard } from "./isolation-card";
import { MakeTypeForm } from "./make-type-form";
import { OverviewGlance } from "./overview-glance";
import { RecentEvents } from "./recent-events";
import { useContainer } from "./use-container";

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-3 gap-4 px-4 py-2.5">
      <dt className="text-sm text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="col-span-2 break-all text-sm">{children}</dd>
    </div>
  );
}

/**
 * The overview tab: state and addresses, its isolation (unprivileged or not, and the conversion), limits against
 * usage at a glance, the last events, and making the container a type.
 */
export function ContainerOverview({ name }: { name: string }) {
  const detail = useContainer(name);
  const session = useSession();
  const t = useTranslations("containers.overview");
  const autostart = useTranslations("autostart.overview");
  const f = useFormat();
  // The layout shows this tab only once the container is read.
  if (!detail.data) return null;
  const container = detail.data;
  const none = <span className="text-slate-400">–</span>;
  const base = `/containers/${encodeURIComponent(container.name)}`;
  return (
    <section aria-labelledby="overview-heading" className="space-y-4">
      <h2 id="overview-heading" className="text-lg font-semibold">
        {t("heading")}
      </h2>
      <dl className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900">
        <Field label={t("state")}>
          {/* English shows lxc's own word (RUNNING), French its translation. */}
          <span data-testid="container-state">{t("stateValue", { state: container.state })}</span>
        </Field>
        <Field label={t("pid")}>{container.pid ?? none}</Field>
        <Field label={t("ipv4")}>{container.ipv4.join(", ") || none}</Field>
        <Field label={t("ipv6")}>{container.ipv6.join(", ") || none}</Field>
        <Field label={t("memory")}>
          {f.bytes(container.memoryUseBytes)}{" "}
          <Link href={`${base}/usage`} className="text-sky-700 hover:underline dark:text-sky-400">
            {t("usageLink")}
          </Link>
        </Field>
        <Field label={t("autostart")}>
          <span className="flex flex-wrap items-center gap-3">
            {session.can("operator") ? (
              <AutostartToggle name={container.name} isAuto={container.autostart} />
            ) : container.autostart ? (
              t("yes")
            ) : (
              t("no")
            )}
            <Link href="/autostart" className="text-sky-700 hover:underline dark:text-sky-400">
              {autostart("board")}
            </Link>
          </span>
        </Field>
        <Field label={t("groups")}>{container.groups.join(", ") || none}</Field>
        <Field label={t("configFile")}>
          <code className="font-mono text-xs">{container.configPath}</code>
        </Field>
      </dl>
      <IsolationCard name={container.name} isStopped={container.state === "STOPPED"} />
      <BindMountsCard name={container.name} isStopped={container.state === "STOPPED"} />
      <div className="grid gap-4 md:grid-cols-2">
        <OverviewGlance
          name={container.name}
          isRunning={container.state === "RUNNING" || container.state === "FROZEN"}
        />
        <RecentEvents name={container.name} />
      </div>
      {session.can("operator") && <MakeTypeForm name={container.name} />}
    </section>
  );
}
