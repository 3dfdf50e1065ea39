"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { JobProgress } from "@/components/jobs/job-progress";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ErrorAlert } from "@/components/ui/error-alert";
import { SelectField } from "@/components/ui/select-field";
import { runCount, runGroups, type TBoard } from "./board-model";

type TAsk = { group: string | null; action: "start" | "stop" };

/**
 * "Start the boot set now" / "Stop it now", and the same for one group (`autostart.run`, lxc-autostart's order with
 * Atelier's dependencies and stop timeouts), each confirmed first, then followed as a job (its progress and log).
 */
export function AutostartRun({ board }: { board: TBoard }) {
  const t = useTranslations("autostart.run");
  const id = useId();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const groups = runGroups(board);
  const [group, setGroup] = useState(groups[0] ?? "");
  const [ask, setAsk] = useState<TAsk | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const run = useMutation(
    trpc.autostart.run.mutationOptions({
      onSuccess: (result) => setJobId(result.jobId),
    }),
  );
  const title = (what: TAsk) =>
    what.group === null
      ? t(what.action === "start" ? "confirmStartBoot" : "confirmStopBoot")
      : t(what.action === "start" ? "confirmStartGroup" : "confirmStopGroup", { group: what.group });
  const chosen = groups.includes(group) ? group : (groups[0] ?? "");

  return (
    <section aria-labelledby={`${id}-title`} className="space-y-3">
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        {t("heading")}
      </h2>
      <p className="text-sm text-slate-600 dark:text-slate-300">{t("intro")}</p>
      <div className="flex flex-wrap gap-2">
        <Button variant="primary" onClick={() => setAsk({ group: null, action: "start" })}>
          {t("startBoot")}
        </Button>
        <Button variant="danger" onClick={() => setAsk({ group: null, action: "stop" })}>
          {t("stopBoot")}
        </Button>
      </div>
      {groups.length > 0 && (
        <div className="flex flex-wrap items-end gap-2">
          <SelectField
            label={t("groupsLabel")}
            value={chosen}
            onChange={(event) => setGroup(event.target.value)}
            options={groups}
            className="min-w-40"
          />
          <Button onClick={() => setAsk({ group: chosen, action: "start" })}>
            {t("startGroup", { group: chosen })}
          </Button>
          <Button onClick={() => setAsk({ group: chosen, action: "stop" })}>
            {t("stopGroup", { group: chosen })}
          </Button>
        </div>
      )}
      {run.isError && <ErrorAlert error={run.error} title={t("error")} />}
      {jobId && (
        <JobProgress
          key={jobId}
          id={jobId}
          canCancel
          onFinished={() => void queryClient.invalidateQueries(trpc.autostart.pathFilter())}
        />
      )}
      <ConfirmDialog
        open={ask !== null}
        title={ask ? title(ask) : ""}
        confirmLabel={ask?.action === "stop" ? t("stop") : t("start")}
        onCancel={() => setAsk(null)}
        onConfirm={() => {
          if (ask) run.mutate(ask);
          setAsk(null);
        }}
      >
        {ask && (
          <p>{t(ask.action === "start" ? "bodyStart" : "bodyStop", { count: runCount(board, ask.group) })}</p>
        )}
      </ConfirmDialog>
    </section>
  );
}
