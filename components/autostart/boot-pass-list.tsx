"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { useEffect, useRef, useState } from "react";
import { StateBadge } from "@/components/containers/state-badge";
import { containerHref } from "@/components/palette/palette-model";
import { Button } from "@/components/ui/button";
import { AutostartToggle } from "./autostart-toggle";
import type { TBoardContainer, TPass } from "./board-model";

/** Symbols, not words: the drag handle and the move buttons' arrows (their names are the catalogue's). */
const HANDLE = "⠿";
const UP = "↑";
const DOWN = "↓";

/**
 * One boot pass's containers in boot order, each with its place, order, delay, groups, dependency and state. An
 * operator reorders them by dragging a row (pointer) or from the keyboard: the Move up / Move down buttons, or
 * Alt+↑ / Alt+↓ anywhere in a focused row; the moved row keeps the focus. Viewers read only.
 */
export function BootPassList({
  pass,
  containers,
  canEdit,
  focusName,
  onMove,
  onDrop,
  onEdit,
  onFocused,
}: {
  pass: TPass;
  containers: ReadonlyMap<string, TBoardContainer>;
  canEdit: boolean;
  /** The row to give the focus to (the one just moved), once it is drawn in its new place. */
  focusName: string | null;
  onMove: (name: string, delta: -1 | 1) => void;
  onDrop: (name: string, target: string) => void;
  onEdit: (name: string) => void;
  onFocused: () => void;
}) {
  const t = useTranslations("autostart");
  const rows = useRef(new Map<string, HTMLLIElement>());
  const [dragged, setDragged] = useState<string | null>(null);
  const [over, setOver] = useState<string | null>(null);
  // Once: the moved row takes the focus in its new place, then the board forgets it (a later render, such as a
  // dialog opening, must not pull the focus back).
  useEffect(() => {
    if (focusName === null || !pass.names.includes(focusName)) return;
    rows.current.get(focusName)?.focus();
    onFocused();
  }, [focusName, pass.names, onFocused]);

  if (pass.names.length === 0)
    return <p className="text-sm text-slate-600 dark:text-slate-300">{t("pass.empty")}</p>;
  return (
    <ol aria-label={t("pass.list", { number: pass.number })} className="space-y-2">
      {pass.names.map((name, index) => {
        const container = containers.get(name);
        if (!container) return null;
        const dependency = container.dependency;
        return (
          <li
            key={name}
            ref={(element) => {
              if (element) rows.current.set(name, element);
              else rows.current.delete(name);
            }}
            data-testid="autostart-row"
            data-name={name}
            tabIndex={canEdit ? 0 : undefined}
            draggable={canEdit}
            onDragStart={(event) => {
              event.dataTransfer.effectAllowed = "move";
              event.dataTransfer.setData("text/plain", name);
              setDragged(name);
            }}
            onDragOver={(event) => {
              if (dragged === null || dragged === name) return;
              event.preventDefault();
              setOver(name);
            }}
            onDragLeave={() => setOver((current) => (current === name ? null : current))}
            onDrop={(event) => {
              event.preventDefault();
              if (dragged !== null) onDrop(dragged, name);
              setDragged(null);
              setOver(null);
            }}
            onDragEnd={() => {
              setDragged(null);
              setOver(null);
            }}
            onKeyDown={(event) => {
              if (!canEdit || !event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
              event.preventDefault();
              onMove(name, event.key === "ArrowUp" ? -1 : 1);
            }}
            className={`flex flex-wrap items-center gap-x-4 gap-y-2 rounded-lg border bg-white px-3 py-2 outline-none focus-visible:ring-2 focus-visible:ring-sky-600 dark:bg-slate-900 ${
              over === name ? "border-sky-600 dark:border-sky-400" : "border-slate-200 dark:border-slate-800"
            } ${dragged === name ? "opacity-60" : ""}`}
          >
            {canEdit && (
              <span
                aria-hidden="true"
                title={t("row.drag")}
                className="cursor-grab select-none text-slate-500 dark:text-slate-400"
              >
                {HANDLE}
              </span>
            )}
            <span className="w-8 text-right font-mono text-sm tabular-nums" data-testid="autostart-position">
              {t("row.position", { position: index + 1 })}
            </span>
            <span className="min-w-32 font-medium">
              <Link href={containerHref(name)} className="text-sky-700 hover:underline dark:text-sky-400">
                {name}
              </Link>
            </span>
            <StateBadge state={container.state} busy={null} />
            <span className="text-sm text-slate-600 dark:text-slate-300">
              {[
                t("row.order", { order: container.order }),
                t("row.delay", { delay: container.delay }),
                container.groups.length > 0
                  ? t("row.groups", { groups: container.groups.join(", ") })
                  : t("row.noGroups"),
                t("row.stopTimeout", { seconds: container.stopTimeoutSeconds }),
              ].join(" · ")}
            </span>
            {dependency && (
              <span className="text-sm text-slate-700 dark:text-slate-200" data-testid="autostart-dependency">
                {t("row.dependency", {
                  after: dependency.after,
                  probe:
                    dependency.probe.kind === "tcp"
                      ? t("row.probeTcp", { port: String(dependency.probe.port) })
                      : t("row.probePing"),
                  timeout: dependency.timeoutSeconds,
                })}
              </span>
            )}
            {canEdit && (
              <span className="ml-auto flex flex-wrap items-center gap-2">
                <AutostartToggle name={name} isAuto={container.auto} />
                <Button
                  size="sm"
                  aria-label={t("row.moveUp", { name })}
                  disabled={index === 0}
                  onClick={() => onMove(name, -1)}
                >
                  {UP}
                </Button>
                <Button
                  size="sm"
                  aria-label={t("row.moveDown", { name })}
                  disabled={index === pass.names.length - 1}
                  onClick={() => onMove(name, 1)}
                >
                  {DOWN}
                </Button>
                <Button size="sm" onClick={() => onEdit(name)}>
                  {t("row.edit", { name })}
                </Button>
              </span>
            )}
          </li>
        );
      })}
    </ol>
  );
}
