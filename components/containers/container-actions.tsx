"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useSession } from "@/components/auth/use-session";
import { useTRPC, useTRPCClient } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ErrorAlert } from "@/components/ui/error-alert";
import type { TContainerSummary } from "@/server/trpc/routers/containers/schemas";

type TAction = "start" | "stop" | "forceStop" | "restart" | "freeze" | "unfreeze" | "destroy";

const doneLabels: Record<TAction, string> = {
  start: "started",
  stop: "stopped",
  forceStop: "stopped (killed)",
  restart: "restarted",
  freeze: "frozen",
  unfreeze: "unfrozen",
  destroy: "destroyed",
};

type TContainerActionsProps = {
  container: Pick<TContainerSummary, "name" | "state" | "busy">;
  /** "row": the everyday actions, for the list; "full": every action, for the detail page. */
  layout: "row" | "full";
};

export function ContainerActions({ container, layout }: TContainerActionsProps) {
  const { name, state, busy } = container;
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
      setAnnouncement(`${name} ${doneLabels[action]}`);
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
  const button = (
    action: TAction,
    label: string,
    variant: "primary" | "secondary" | "danger" = "secondary",
  ) => (
    <Button
      size={layout === "row" ? "sm" : "md"}
      variant={variant}
      disabled={isBusy}
      isPending={pending(action)}
      aria-label={layout === "row" ? `${label} ${name}` : undefined}
      onClick={() => (action === "forceStop" || action === "destroy" ? setConfirming(action) : run(action))}
    >
      {label}
    </Button>
  );

  const isStopped = state === "STOPPED";
  const isRunning = state === "RUNNING";
  const isFrozen = state === "FROZEN";

  if (!session.can("operator")) {
    return <p className="text-sm text-slate-500 dark:text-slate-400">Viewers can look, not change.</p>;
  }

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-2">
        {isStopped && button("start", "Start", "primary")}
        {(isRunning || isFrozen) && button("stop", "Stop")}
        {isRunning && button("freeze", "Freeze")}
        {isFrozen && button("unfreeze", "Unfreeze", "primary")}
        {layout === "full" && (isRunning || isFrozen) && button("restart", "Restart")}
        {layout === "full" && (isRunning || isFrozen) && button("forceStop", "Force stop", "danger")}
        {layout === "full" && button("destroy", "Destroy", "danger")}
      </div>
      <p role="status" aria-live="polite" className="sr-only">
        {announcement}
      </p>
      {mutation.isError && <ErrorAlert error={mutation.error} />}
      <ConfirmDialog
        open={confirming === "forceStop"}
        title={`Force stop ${name}?`}
        confirmLabel="Force stop"
        onConfirm={() => run("forceStop")}
        onCancel={() => setConfirming(null)}
      >
        <p>
          Its processes are killed at once, without a clean shutdown. Unsaved data inside the container may be
          lost.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirming === "destroy"}
        title={`Destroy ${name}?`}
        confirmLabel={isStopped ? "Destroy" : "Stop and destroy"}
        requireText={name}
        onConfirm={() => run("destroy")}
        onCancel={() => setConfirming(null)}
      >
        <p>The container and its root filesystem are deleted. This cannot be undone.</p>
        {!isStopped && <p className="font-medium">It is {state.toLowerCase()}: it will be stopped first.</p>}
      </ConfirmDialog>
    </div>
  );
}
