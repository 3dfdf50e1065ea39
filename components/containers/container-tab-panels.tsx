"use client";

import { useTranslations } from "next-intl";
import { useSession } from "@/components/auth/use-session";
import { ConsolePanel } from "@/components/console/console-panel";
import { UsagePanel } from "@/components/metrics/usage-panel";
import { ContainerNics } from "@/components/network/container-nics";
import { PackagesPanel } from "@/components/packages/packages-panel";
import { ServicesPanel } from "@/components/services/services-panel";
import { SnapshotsPanel } from "./snapshots-panel";
import { useContainer } from "./use-container";

// The tabs whose panel needs the container's state or the user's role; the layout shows them once it is read.

export function UsageTab({ name }: { name: string }) {
  const detail = useContainer(name);
  if (!detail.data) return null;
  return <UsagePanel name={detail.data.name} isRunning={detail.data.state !== "STOPPED"} />;
}

export function NetworkTab({ name }: { name: string }) {
  const session = useSession();
  return <ContainerNics name={name} canChange={session.can("operator")} />;
}

export function SnapshotsTab({ name }: { name: string }) {
  const detail = useContainer(name);
  const session = useSession();
  if (!detail.data) return null;
  return (
    <SnapshotsPanel
      name={detail.data.name}
      isStopped={detail.data.state === "STOPPED"}
      canChange={session.can("operator")}
    />
  );
}

export function ShellTab({ name }: { name: string }) {
  const detail = useContainer(name);
  if (!detail.data) return null;
  return <ConsolePanel name={detail.data.name} kind="shell" />;
}

export function ConsoleTab({ name }: { name: string }) {
  const detail = useContainer(name);
  if (!detail.data) return null;
  return <ConsolePanel name={detail.data.name} kind="console" />;
}

export function PackagesTab({ name }: { name: string }) {
  const detail = useContainer(name);
  const session = useSession();
  if (!detail.data) return null;
  return (
    <PackagesPanel
      name={detail.data.name}
      canChange={session.can("operator")}
      isAdmin={session.can("admin")}
      isPrivileged={!detail.data.unprivileged}
    />
  );
}

export function ServicesTab({ name }: { name: string }) {
  const detail = useContainer(name);
  const session = useSession();
  const t = useTranslations("containers");
  if (!detail.data) return null;
  const isRunning = detail.data.state === "RUNNING";
  return (
    <ServicesPanel
      name={detail.data.name}
      isRunning={isRunning}
      stateLabel={
        isRunning || detail.data.state === "STOPPED"
          ? ""
          : t(`states.${detail.data.state}`).toLocaleLowerCase()
      }
      canChange={session.can("operator")}
    />
  );
}
