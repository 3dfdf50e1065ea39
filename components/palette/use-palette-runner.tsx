"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useCallback, useRef, useState } from "react";
import { useTRPC, useTRPCClient } from "@/components/trpc";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { NOTE_MS, PaletteFeedback, type TNote } from "./palette-feedback";
import { ASKS_FIRST, type TRunAction } from "./palette-model";

type TRun = { action: TRunAction; name: string };
type TNewNote = TNote extends infer N ? (N extends TNote ? Omit<N, "id"> : never) : never;

/**
 * The palette's own action runner: the containers' and snapshots' tRPC mutations, asked first exactly where the
 * container's buttons ask (a force stop), with what happened said in a notice. Runs on any container by name, so
 * several may be under way at once.
 */
export function usePaletteRunner() {
  const t = useTranslations("palette");
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState<TRun | null>(null);
  const [notes, setNotes] = useState<TNote[]>([]);
  const nextId = useRef(0);

  const dismiss = useCallback((id: number) => setNotes((list) => list.filter((note) => note.id !== id)), []);
  const say = useCallback(
    (note: TNewNote) => {
      const id = (nextId.current += 1);
      setNotes((list) => [...list.slice(-3), { ...note, id }]);
      if (note.kind === "done") setTimeout(() => dismiss(id), NOTE_MS);
    },
    [dismiss],
  );

  const { mutate } = useMutation({
    mutationFn: async ({ action, name }: TRun): Promise<string | null> => {
      switch (action) {
        case "start":
          await client.containers.start.mutate({ name });
          return null;
        case "stop":
          await client.containers.stop.mutate({ name });
          return null;
        case "forceStop":
          await client.containers.stop.mutate({ name, force: true });
          return null;
        case "restart":
          await client.containers.restart.mutate({ name });
          return null;
        case "freeze":
          await client.containers.freeze.mutate({ name });
          return null;
        case "unfreeze":
          await client.containers.unfreeze.mutate({ name });
          return null;
        case "snapshot":
          return (await client.snapshots.create.mutate({ name })).jobId;
      }
    },
    onSuccess: (jobId, { action, name }) => {
      if (action === "snapshot") {
        if (jobId) say({ kind: "job", jobId, name });
      } else say({ kind: "done", text: t(`done.${action}`, { name }) });
    },
    onError: (error, { action, name }) =>
      say({ kind: "error", title: t(`failed.${action}`, { name }), error }),
    onSettled: () => queryClient.invalidateQueries(trpc.containers.pathFilter()),
  });

  /** Runs the action, or asks first when the container's button would. */
  const request = useCallback(
    (run: TRun) => (ASKS_FIRST.has(run.action) ? setConfirming(run) : mutate(run)),
    [mutate],
  );

  const dialogs = (
    <>
      <ConfirmDialog
        open={confirming?.action === "forceStop"}
        title={t("forceStop.title", { name: confirming?.name ?? "" })}
        confirmLabel={t("forceStop.confirm")}
        onConfirm={() => {
          if (confirming) mutate(confirming);
          setConfirming(null);
        }}
        onCancel={() => setConfirming(null)}
      >
        <p>{t("forceStop.body")}</p>
      </ConfirmDialog>
      <PaletteFeedback notes={notes} dismiss={dismiss} />
    </>
  );

  return { request, dialogs };
}
