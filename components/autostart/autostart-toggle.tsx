"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { useTRPC } from "@/components/trpc";
import { ErrorAlert } from "@/components/ui/error-alert";

/**
 * "Starts with the host" (lxc.start.auto) of one container, a checkbox saved at once through `autostart.set`: on
 * the Autostart board's rows and on the container's Overview. The board and the containers' lists are read again.
 */
export function AutostartToggle({
  name,
  isAuto,
  label,
}: {
  name: string;
  isAuto: boolean;
  /** The checkbox's visible words ("Starts with the host"); its accessible name also names the container. */
  label?: string;
}) {
  const t = useTranslations("autostart");
  const id = useId();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // What was just ticked shows at once, until the lists read again say it (or the save failed).
  const [ticked, setTicked] = useState<boolean | null>(null);
  const set = useMutation(
    trpc.autostart.set.mutationOptions({
      onSettled: async () => {
        await Promise.all([
          queryClient.invalidateQueries(trpc.autostart.pathFilter()),
          queryClient.invalidateQueries(trpc.containers.pathFilter()),
        ]);
        setTicked(null);
      },
    }),
  );
  const checked = ticked ?? isAuto;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="inline-flex items-center gap-2 text-sm">
        <input
          id={id}
          type="checkbox"
          checked={checked}
          disabled={set.isPending}
          aria-label={label === undefined ? t("toggleOf", { name }) : undefined}
          onChange={(event) => {
            setTicked(event.target.checked);
            set.mutate({ name, auto: event.target.checked });
          }}
          className="h-4 w-4"
        />
        {label ?? t("toggle")}
      </label>
      {set.isError && <ErrorAlert error={set.error} title={t("setError")} />}
    </div>
  );
}
