"use client";

import { useTranslations } from "next-intl";
import { scheduleWithDependencies } from "@/server/schemas/autostart";
import type { TBoard } from "./board-model";

/**
 * What the host's boot will do, step by step: the server's `startOrder` (lxc-autostart's order through the boot
 * groups) scheduled as the boot routine schedules it (server/boot/routine.ts: a container whose dependency comes
 * later in the same run waits for it, so that one is started first), each step with its wait and the dependency it
 * waits for. Drawn from the saved board, so a move shows here once it is saved.
 */
export function BootPreview({ board }: { board: TBoard }) {
  const t = useTranslations("autostart.preview");
  const rows = useTranslations("autostart.row");
  const containers = new Map(board.containers.map((container) => [container.name, container]));
  const steps = scheduleWithDependencies(
    board.startOrder,
    (name) => containers.get(name)?.dependency?.after ?? null,
  );
  return (
    <section aria-labelledby="autostart-preview" className="space-y-2">
      <h2 id="autostart-preview" className="text-lg font-semibold">
        {t("heading")}
      </h2>
      {board.startOrder.length === 0 ? (
        <p className="text-sm">{t("empty")}</p>
      ) : (
        <ol
          aria-label={t("label")}
          data-testid="autostart-preview"
          className="list-decimal space-y-1 rounded-lg border border-slate-200 bg-slate-50 py-2 pr-3 pl-10 text-sm dark:border-slate-800 dark:bg-slate-950"
        >
          {steps.map((name) => {
            const container = containers.get(name);
            const dependency = container?.dependency;
            const parts = [t("start", { name })];
            if (dependency)
              parts.push(
                t("after", {
                  after: dependency.after,
                  probe:
                    dependency.probe.kind === "tcp"
                      ? rows("probeTcp", { port: String(dependency.probe.port) })
                      : rows("probePing"),
                  timeout: dependency.timeoutSeconds,
                }),
              );
            if (container && container.delay > 0) parts.push(t("wait", { delay: container.delay }));
            if (container?.state === "RUNNING") parts.push(t("running"));
            return <li key={name}>{parts.join(", ")}</li>;
          })}
        </ol>
      )}
      <p className="text-sm text-slate-600 dark:text-slate-300">{t("stopNote")}</p>
    </section>
  );
}
