"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useCallback, useState } from "react";
import { useSession } from "@/components/auth/use-session";
import { containerHref } from "@/components/palette/palette-model";
import { useTRPC } from "@/components/trpc";
import { ErrorAlert } from "@/components/ui/error-alert";
import { AutostartEditDialog } from "./autostart-edit-dialog";
import { AutostartRun } from "./autostart-run";
import { AutostartToggle } from "./autostart-toggle";
import { BootPassList } from "./boot-pass-list";
import { BootPreview } from "./boot-preview";
import {
  bootPasses,
  dropInPass,
  leftOutAtBoot,
  moveInPass,
  notAutostarted,
  placeOf,
  type TBoard,
} from "./board-model";

/**
 * The Autostart board: the boot order pass by pass (reordered by drag or keyboard, saved with `autostart.reorder`),
 * the preview of what the host's boot runs (the server's `startOrder`, lxc-autostart's own order), the containers
 * left out, and the runs now. Operators edit; viewers read. A move is shown at once and announced, then saved; the
 * board is read again after it.
 */
export function AutostartBoard() {
  const t = useTranslations("autostart");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useSession();
  const canEdit = can("operator");
  const board = useQuery(trpc.autostart.board.queryOptions());
  const [pending, setPending] = useState<string[] | null>(null);
  const [focusName, setFocusName] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const [editing, setEditing] = useState<string | null>(null);
  const forgetFocus = useCallback(() => setFocusName(null), []);
  const reorder = useMutation(
    trpc.autostart.reorder.mutationOptions({
      onSettled: async () => {
        await queryClient.invalidateQueries(trpc.autostart.pathFilter());
        setPending(null);
      },
    }),
  );

  if (board.isPending) return <p role="status">{t("loading")}</p>;
  if (board.isError) return <ErrorAlert error={board.error} title={t("readError")} />;
  const data: TBoard = board.data;
  const shown: TBoard = { ...data, startOrder: pending ?? data.startOrder };
  const passes = bootPasses(shown);
  const containers = new Map(data.containers.map((container) => [container.name, container]));
  const leftOut = leftOutAtBoot(data);
  const manual = notAutostarted(data);
  const groupWords = data.bootGroups.map((group) => (group === "" ? t("noGroup") : group)).join(", ");

  const save = (order: string[] | null, name: string) => {
    if (!order) return;
    setPending(order);
    setFocusName(name);
    const { position, count } = placeOf(passes, order, name);
    setAnnouncement(t("moved", { name, position, count }));
    reorder.mutate({ names: order });
  };

  return (
    <div className="space-y-6">
      <p className="text-sm text-slate-600 dark:text-slate-300">{t("bootGroups", { groups: groupWords })}</p>
      {/* Moves are announced here: a screen reader hears where the row went. */}
      <p aria-live="polite" role="status" className="sr-only" data-testid="autostart-announcement">
        {announcement}
      </p>
      {canEdit && <p className="text-sm text-slate-600 dark:text-slate-300">{t("row.keys")}</p>}
      {data.startOrder.length === 0 && <p className="text-sm">{t("empty")}</p>}
      {passes.map((pass) => (
        <section key={pass.number} aria-labelledby={`pass-${pass.number}`} className="space-y-2">
          <h2 id={`pass-${pass.number}`} className="text-lg font-semibold">
            {pass.group === ""
              ? t("pass.headingNoGroup", { number: pass.number })
              : t("pass.heading", { number: pass.number, group: pass.group })}
          </h2>
          <BootPassList
            pass={pass}
            containers={containers}
            canEdit={canEdit}
            focusName={focusName}
            onMove={(name, delta) => save(moveInPass(passes, name, delta), name)}
            onDrop={(name, target) => save(dropInPass(passes, name, target), name)}
            onEdit={setEditing}
            onFocused={forgetFocus}
          />
        </section>
      ))}
      {reorder.isPending && (
        <p role="status" className="text-sm">
          {t("saving")}
        </p>
      )}
      {reorder.isError && <ErrorAlert error={reorder.error} title={t("reorderError")} />}
      <BootPreview board={data} />
      {leftOut.length > 0 && (
        <section aria-labelledby="autostart-left-out" className="space-y-2">
          <h2 id="autostart-left-out" className="text-lg font-semibold">
            {t("elsewhere.heading")}
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-300">{t("elsewhere.intro")}</p>
          <OtherList label={t("elsewhere.label")} names={leftOut.map((c) => c.name)} canEdit={canEdit} auto />
        </section>
      )}
      <section aria-labelledby="autostart-manual" className="space-y-2">
        <h2 id="autostart-manual" className="text-lg font-semibold">
          {t("manual.heading")}
        </h2>
        {manual.length === 0 ? (
          <p className="text-sm">{t("manual.none")}</p>
        ) : (
          <OtherList
            label={t("manual.label")}
            names={manual.map((c) => c.name)}
            canEdit={canEdit}
            auto={false}
          />
        )}
      </section>
      {canEdit && <AutostartRun board={data} />}
      <AutostartEditDialog
        container={editing === null ? null : (containers.get(editing) ?? null)}
        others={data.containers.map((c) => c.name).filter((name) => name !== editing)}
        bootGroups={groupWords}
        onClose={() => setEditing(null)}
      />
    </div>
  );
}

/** Containers outside the boot order: a link each, and for operators the toggle that adds (or removes) it. */
function OtherList({
  label,
  names,
  canEdit,
  auto,
}: {
  label: string;
  names: string[];
  canEdit: boolean;
  auto: boolean;
}) {
  return (
    <ul
      aria-label={label}
      className="divide-y divide-slate-100 rounded-lg border border-slate-200 dark:divide-slate-800 dark:border-slate-800"
    >
      {names.map((name) => (
        <li key={name} className="flex flex-wrap items-center gap-4 px-3 py-2" data-testid="autostart-other">
          <Link
            href={containerHref(name)}
            className="font-medium text-sky-700 hover:underline dark:text-sky-400"
          >
            {name}
          </Link>
          {canEdit && (
            <span className="ml-auto">
              <AutostartToggle name={name} isAuto={auto} />
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
