"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useSession } from "@/components/auth/use-session";
import { useTRPC, useTRPCClient } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ErrorAlert } from "@/components/ui/error-alert";
import type { TContainerSummary } from "@/server/trpc/routers/containers/schemas";

type TAction = "start" | "stop" | "forceStop" | "restart" | "freeze" | "unfreeze" | "destroy";

type TContainerActionsProps = {
  container: Pick<TContainerSummary, "name" | "state" | "busy">;
  /** "row": the everyday actions, for the list; "full": every action, for the detail page. */
  layout: "row" | "full";
};

export function ContainerActions({ container, layout }: TContainerActionsProps) {
  const { name, state, busy } = container;
  const t = useTranslations("containers.actions");
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const router = useRouter();
  const session = useSession();
  const [confirming, setConfirming] = useState<"forceStop" | "destroy" | null>(null);
  const [announcement, setAnnouncement] = useState("");

  const mutation = useMutation({
    mutationFn: (action: TAction) => {
      switch (action) {
        case "start":
          return client.containers.start.mutate({ name });
        case "stop":
          return client.containers.stop.mutate({ name });
        case "forceStop":
          return client.containers.stop.mutate({ name, force: true });
        case "restart":
          return client.containers.restart.mutate({ name });
        case "freeze":
          return client.containers.freeze.mutate({ name });
        case "unfreeze":
          return client.containers.unfreeze.mutate({ name });
        case "destroy":
          return client.containers.destroy.mutate({ name, force: state !== "STOPPED" });
      }
    },
    onSuccess: (_data, action) => {
      setAnnouncement(t(`done.${action}`, { name }));
      if (action === "destroy" && layout === "full") router.push("/containers");
    },
    onSettled: () => queryClient.invalidateQueries(trpc.containers.pathFilter()),
  });

  const run = (action: TAction) => {
    setConfirming(null);
    setAnnouncement("");
    mutation.mutate(action);
  };
  const isBusy = busy !== null || mutation.isPending;
  const pending = (action: TAction) => mutation.isPending && mutation.variables === action;
  const button = (action: TAction, variant: "primary" | "secondary" | "danger" = "secondary") => (
    <Button
      size={layout === "row" ? "sm" : "md"}
      variant={variant}
      disabled={isBusy}
      isPending={pending(action)}
      aria-label={layout === "row" ? t(`labelOf.${action}`, { name }) : undefined}
      onClick={() => (action === "forceStop" || action === "destroy" ? setConfirming(action) : run(action))}
    >
      {t(`label.${action}`)}
    </Button>
  );

  const isStopped = state === "STOPPED";
  const isRunning = state === "RUNNING";
  const isFrozen = state === "FROZEN";

  if (!session.can("operator")) {
    return <p className="text-sm text-slate-500 dark:text-slate-400">{t("viewersOnly")}</p>;
  }

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-2">
        {isStopped && button("start", "primary")}
        {(isRunning || isFrozen) && button("stop")}
        {isRunning && button("freeze")}
        {isFrozen && button("unfreeze", "primary")}
        {layout === "full" && (isRunning || isFrozen) && button("restart")}
        {layout === "full" && (isRunning || isFrozen) && button("forceStop", "danger")}
        {layout === "full" && button("destroy", "danger")}
      </div>
      <p role="status" aria-live="polite" className="sr-only">
        {announcement}
      </p>
      {mutation.isError && <ErrorAlert error={mutation.error} />}
      <ConfirmDialog
        open={confirming === "forceStop"}
        title={t("forceStopDialog.title", { name })}
        confirmLabel={t("forceStopDialog.confirm")}
        onConfirm={() => run("forceStop")}
        onCancel={() => setConfirming(null)}
      >
        <p>{t("forceStopDialog.body")}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirming === "destroy"}
        title={t("destroyDialog.title", { name })}
        confirmLabel={isStopped ? t("destroyDialog.confirm") : t("destroyDialog.confirmNotStopped")}
        requireText={name}
        onConfirm={() => run("destroy")}
        onCancel={() => setConfirming(null)}
      >
        <p>{t("destroyDialog.body")}</p>
        {!isStopped && <p className="font-medium">{t("destroyDialog.stoppedFirst", { state })}</p>}
      </ConfirmDialog>
    </div>
  );
}
