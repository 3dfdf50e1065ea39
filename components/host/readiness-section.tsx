"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useSession } from "@/components/auth/use-session";
import { useFormat } from "@/components/i18n/use-format";
import { useWords } from "@/components/network/use-words";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DataTable } from "@/components/ui/data-table";
import { ErrorAlert } from "@/components/ui/error-alert";
import type { THostCheck } from "@/server/trpc/routers/host/host.types";

// Marks beside words that say the same (never the only sign), the same in every language.
const MARKS = { ok: "✓", info: "ℹ", warning: "⚠", problem: "✗" } as const;
const TONES = {
  ok: "text-emerald-700 dark:text-emerald-400",
  info: "text-sky-700 dark:text-sky-300",
  warning: "text-amber-700 dark:text-amber-300",
  problem: "text-red-700 dark:text-red-400",
} as const;
const ORDER = { problem: 0, warning: 1, info: 2, ok: 3 } as const;
const GROUPS = ["kernel", "cgroups", "ids", "security", "network", "storage", "services"] as const;

/** A line lxc-checkconfig printed: what it saw is the tool's own word ("enabled", "missing"), shown as such. */
const isToolLine = (check: THostCheck) =>
  check.id.startsWith("kernel.") && !["kernelVersion", "kernelConfig", "idmapTool"].includes(check.key);

function StatusMark({ status }: { status: THostCheck["status"] }) {
  const t = useTranslations("readiness");
  return (
    <span className={`whitespace-nowrap font-medium ${TONES[status]}`}>
      <span aria-hidden="true">{MARKS[status]} </span>
      {t(`status.${status}`)}
    </span>
  );
}

/** A check's title and its sentence in the page's language, from its key and values. */
const useCheckWords = () => {
  const t = useTranslations("readiness");
  const f = useFormat();
  const say = useWords();
  return (check: THostCheck) => {
    const params: Record<string, string | number> = { ...check.params };
    if (check.key === "lxcpathSpace") {
      params.free = f.bytes(Number(check.params.free));
      params.total = f.bytes(Number(check.params.total));
      params.inodesFree = f.count(Number(check.params.inodesFree));
      params.inodes = f.count(Number(check.params.inodes));
    }
    if (check.key === "cgroupControllers") {
      params.missing = String(check.params.missing ?? "") || "none";
      params.controllers = String(check.params.controllers ?? "") || "–";
    }
    if (check.words) params.detail = say(check.seen, check.words.detail);
    const titleKey = `checks.${check.key}.title` as never;
    const breaksKey = `checks.${check.key}.breaks` as never;
    const title = t.has(titleKey) ? t(titleKey, params as never) : check.label;
    const breaks = t.has(breaksKey) ? t(breaksKey, params as never) : check.seen;
    const fix = check.fix && {
      ...check.fix,
      text: check.words ? say(check.fix.text, check.words.fix) : check.fix.text,
    };
    return { title, breaks, fix };
  };
};

function Fix({ fix }: { fix: NonNullable<THostCheck["fix"]> }) {
  const t = useTranslations("readiness");
  return (
    <div className="mt-2">
      <p className="text-xs text-slate-600 dark:text-slate-400">
        {fix.kind === "line"
          ? t("fixKind.line", { file: fix.file ?? "" })
          : fix.kind === "command"
            ? t("fixKind.command")
            : t("fixKind.kernelConfig")}
      </p>
      <pre className="mt-1 overflow-x-auto whitespace-pre-wrap rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-950">
        {fix.text}
      </pre>
    </div>
  );
}

/**
 * The Host page's readiness section (host.readiness): whether this host can run containers, every check of the
 * helper (lxc-checkconfig's report, cgroups, ids, AppArmor, the default bridge, space) and of the network managers.
 * What is not fine comes first, each saying what it breaks and the fix to make by hand; a fix the helper can make
 * itself is one click for an admin, after a confirmation that shows exactly what will change (host.fix, audited).
 * Viewers and operators see the same, without the buttons.
 */
export function ReadinessSection() {
  const t = useTranslations("readiness");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const session = useSession();
  const isAdmin = session.can("admin");
  const readiness = useQuery({ ...trpc.host.readiness.queryOptions(), staleTime: 60_000 });
  const wordsOf = useCheckWords();
  const [asked, setAsked] = useState<THostCheck | null>(null);
  const fix = useMutation(
    trpc.host.fix.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.host.readiness.queryKey() }),
    }),
  );

  const checks = readiness.data?.checks ?? [];
  const toDo = checks
    .filter((check) => check.status !== "ok")
    .sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  const count = (status: THostCheck["status"]) => checks.filter((check) => check.status === status).length;

  return (
    <section aria-labelledby="readiness-heading" className="space-y-3" data-testid="readiness">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="readiness-heading" className="text-lg font-semibold">
          {t("heading")}
        </h2>
        <Button size="sm" onClick={() => void readiness.refetch()} isPending={readiness.isFetching}>
          {t("recheck")}
        </Button>
      </div>
      <p className="text-sm text-slate-600 dark:text-slate-300">{t("intro")}</p>
      {readiness.isPending && <p role="status">{t("loading")}</p>}
      {readiness.isError && <ErrorAlert error={readiness.error} title={t("loadError")} />}
      {fix.isError && <ErrorAlert error={fix.error} title={t("safeFix.error")} />}
      {fix.isSuccess && (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400" data-testid="fix-done">
          {t("safeFix.done", { count: fix.data.changed.length })}{" "}
          {fix.data.changed.map((change) => (
            <code key={change} className="mr-2 font-mono text-xs">
              {change}
            </code>
          ))}
        </p>
      )}
      {readiness.data && (
        <>
          <p className="text-sm" data-testid="readiness-summary">
            {t("summary", { problems: count("problem"), warnings: count("warning"), fine: count("ok") })}{" "}
            {t("facts", {
              kernel: readiness.data.kernel,
              lxc: readiness.data.lxcVersion ?? "?",
              layout: readiness.data.cgroup.layout,
              controllers: readiness.data.cgroup.controllers.join(" ") || "–",
            })}
          </p>
          {toDo.length > 0 && (
            <>
              <h3 className="font-medium">{t("toDo")}</h3>
              <ul className="space-y-2">
                {toDo.map((check) => {
                  const words = wordsOf(check);
                  return (
                    <li
                      key={check.id}
                      data-check={check.id}
                      data-status={check.status}
                      className="rounded-md border border-slate-200 p-3 text-sm dark:border-slate-800"
                    >
                      <p className="flex flex-wrap gap-x-2">
                        <StatusMark status={check.status} />
                        <strong>{words.title}</strong>
                        {isToolLine(check) && (
                          <code className="font-mono text-xs text-slate-600 dark:text-slate-400">
                            {check.seen}
                          </code>
                        )}
                      </p>
                      <p className="mt-1">{words.breaks}</p>
                      {words.fix && <Fix fix={words.fix} />}
                      {check.safeFix &&
                        (isAdmin ? (
                          <Button
                            size="sm"
                            variant="primary"
                            className="mt-2"
                            onClick={() => setAsked(check)}
                            isPending={fix.isPending && fix.variables.id === check.safeFix.id}
                          >
                            {t("safeFix.button")}
                          </Button>
                        ) : (
                          <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">
                            {t("safeFix.adminOnly")}
                          </p>
                        ))}
                    </li>
                  );
                })}
              </ul>
            </>
          )}
          <details className="text-sm">
            <summary className="cursor-pointer font-medium">
              {t("allChecks", { count: checks.length })}
            </summary>
            <div className="mt-2 space-y-3">
              {GROUPS.map((group) => {
                const inGroup = checks.filter((check) => check.group === group);
                if (inGroup.length === 0) return null;
                return (
                  <DataTable
                    key={group}
                    caption={t("caption", { group: t(`groups.${group}`) })}
                    columns={[t("columns.check"), t("columns.status"), t("columns.seen")]}
                  >
                    {inGroup.map((check) => {
                      const words = wordsOf(check);
                      return (
                        <tr key={check.id} data-row={check.id}>
                          <th scope="row" className="text-left align-top font-medium">
                            {words.title}
                          </th>
                          <td className="align-top">
                            <StatusMark status={check.status} />
                          </td>
                          <td className="align-top">
                            {isToolLine(check) ? (
                              <code className="font-mono text-xs">{check.seen}</code>
                            ) : (
                              words.breaks
                            )}
                          </td>
                        </tr>
                      );
                    })}
                  </DataTable>
                );
              })}
            </div>
          </details>
        </>
      )}
      <ConfirmDialog
        open={asked !== null}
        title={t("safeFix.title", { check: asked ? wordsOf(asked).title : "" })}
        confirmLabel={t("safeFix.confirm")}
        onCancel={() => setAsked(null)}
        onConfirm={() => {
          if (!asked?.safeFix) return;
          const id = asked.safeFix.id;
          setAsked(null);
          fix.mutate({ id });
        }}
      >
        <p>{t("safeFix.intro")}</p>
        <pre
          data-testid="fix-changes"
          className="overflow-x-auto whitespace-pre-wrap rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-950"
        >
          {asked?.safeFix?.changes.join("\n")}
        </pre>
      </ConfirmDialog>
    </section>
  );
}
