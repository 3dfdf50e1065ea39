"use client";

import { TRPCClientError } from "@trpc/client";
import Link from "next/link";
import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { Button, Spinner } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { ContainerActions } from "./container-actions";
import { ContainerTabs } from "./container-tabs";
import { StateBadge } from "./state-badge";
import { useContainer } from "./use-container";

const isNotFound = (error: unknown) =>
  error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === "NOT_FOUND";

/**
 * What every tab of a container's page shares: the way back, its name, state and actions, and the tabs. The tab's
 * page shows under them only once the container is read, so a missing container is said once, here.
 */
export function ContainerShell({ name, children }: { name: string; children: ReactNode }) {
  const detail = useContainer(name);
  const t = useTranslations("containers.shell");

  const back = (
    <Link href="/containers" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
      {t("back")}
    </Link>
  );

  if (detail.isPending) {
    return (
      <div className="space-y-4">
        {back}
        <p role="status" className="flex items-center gap-2">
          <Spinner /> {t("loading", { name })}
        </p>
      </div>
    );
  }
  if (detail.isError) {
    return (
      <div className="space-y-3">
        {back}
        <h1 className="text-2xl font-semibold">{name}</h1>
        <ErrorAlert error={detail.error} title={isNotFound(detail.error) ? t("notFound") : t("readError")} />
        {!isNotFound(detail.error) && <Button onClick={() => void detail.refetch()}>{t("tryAgain")}</Button>}
      </div>
    );
  }

  const container = detail.data;
  return (
    <div className="space-y-5">
      {back}
      <header className="space-y-3">
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold">{container.name}</h1>
          <StateBadge state={container.state} busy={container.busy} />
        </div>
        <ContainerActions container={container} layout="full" />
      </header>
      <ContainerTabs name={container.name} />
      {children}
    </div>
  );
}
