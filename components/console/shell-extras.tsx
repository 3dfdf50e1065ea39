"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { useFormat } from "@/components/i18n/use-format";
import { useTRPC } from "@/components/trpc";
import { Button, buttonClass } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DataTable } from "@/components/ui/data-table";
import { ErrorAlert } from "@/components/ui/error-alert";
import { fieldError, TextField } from "@/components/ui/text-field";
import { idleParts } from "./console-frames";

type TRow = {
  id: string;
  kind: "shell" | "console";
  user: string;
  startedAt: Date;
  idleSeconds: number;
  writer: string | null;
  watchers: string[];
  isYours: boolean;
};

/**
 * The container's open sessions (refreshed every 5 s): who, which kind, since when, idle for how long, who types
 * and who watches; Join watches another's shell in this tab (a console opens on the Console tab), Close ends one
 * after a confirmation.
 */
export function SessionsList({
  name,
  shownId,
  canJoin,
  onJoin,
}: {
  name: string;
  /** The session this tab's terminal shows. */
  shownId: string | null;
  canJoin: boolean;
  onJoin: (id: string) => void;
}) {
  const t = useTranslations("console.sessions");
  const f = useFormat();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sessions = useQuery({ ...trpc.console.sessions.queryOptions({ name }), refetchInterval: 5_000 });
  const [closing, setClosing] = useState<TRow | null>(null);
  const close = useMutation(
    trpc.console.close.mutationOptions({
      onSettled: () => void queryClient.invalidateQueries(trpc.console.sessions.queryFilter({ name })),
    }),
  );
  const rows: TRow[] = sessions.data ?? [];
  const idle = (seconds: number) => {
    const { unit, value } = idleParts(seconds);
    return unit === "seconds"
      ? t("idleSeconds", { seconds: value })
      : unit === "minutes"
        ? t("idleMinutes", { minutes: value })
        : t("idleHours", { hours: value });
  };
  const watchers = (row: TRow) =>
    row.watchers.length > 0 ? f.list(row.watchers) : t("watchers", { count: 0 });

  return (
    <section aria-labelledby="sessions-heading" className="space-y-2">
      <h3 id="sessions-heading" className="text-base font-semibold">
        {t("heading")}
      </h3>
      {sessions.isError && <ErrorAlert error={sessions.error} title={t("loadError")} />}
      {close.isError && <ErrorAlert error={close.error} title={t("closeError")} />}
      {sessions.isSuccess && rows.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">{t("none")}</p>
      ) : (
        <DataTable
          caption={t("caption", { name })}
          columns={[
            t("columns.user"),
            t("columns.kind"),
            t("columns.since"),
            t("columns.idle"),
            t("columns.writer"),
            t("columns.watchers"),
            "",
          ]}
        >
          {rows.map((row) => {
            const since = f.dateTime(row.startedAt);
            const words = { kind: row.kind, user: row.user, since };
            return (
              <tr key={row.id} data-testid="console-session">
                <td>{row.isYours ? t("you", { user: row.user }) : row.user}</td>
                <td>{t("kind", { kind: row.kind })}</td>
                <td>{since}</td>
                <td>{idle(row.idleSeconds)}</td>
                <td>{row.writer ?? t("nobody")}</td>
                <td>{watchers(row)}</td>
                <td className="whitespace-nowrap text-right">
                  <span className="inline-flex gap-2">
                    {row.id === shownId ? (
                      <span className="px-2.5 py-1 text-sm text-slate-600 dark:text-slate-400">
                        {t("shown")}
                      </span>
                    ) : row.kind === "console" ? (
                      <Link
                        href={`/containers/${encodeURIComponent(name)}/console`}
                        aria-label={t("joinLabel", words)}
                        className={buttonClass("secondary", "sm")}
                      >
                        {t("join")}
                      </Link>
                    ) : (
                      canJoin && (
                        <Button size="sm" aria-label={t("joinLabel", words)} onClick={() => onJoin(row.id)}>
                          {t("join")}
                        </Button>
                      )
                    )}
                    <Button
                      size="sm"
                      variant="danger"
                      aria-label={t("closeLabel", words)}
                      onClick={() => setClosing(row)}
                    >
                      {t("close")}
                    </Button>
                  </span>
                </td>
              </tr>
            );
          })}
        </DataTable>
      )}
      <ConfirmDialog
        open={closing !== null}
        title={t("closeDialog.title")}
        confirmLabel={t("closeDialog.confirm")}
        onCancel={() => setClosing(null)}
        onConfirm={() => {
          if (closing) close.mutate({ name, sessionId: closing.id });
          setClosing(null);
        }}
      >
        <p>{closing && t("closeDialog.body", { kind: closing.kind, user: closing.user })}</p>
      </ConfirmDialog>
    </section>
  );
}

/** Who the Shell tab logs in as and with which shell, per container (`console.settings`, `console.setSettings`). */
export function ShellSettings({ name }: { name: string }) {
  const t = useTranslations("console.settings");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.console.settings.queryOptions({ name }));
  const [draft, setDraft] = useState<{ user: string; shell: string } | null>(null);
  const save = useMutation(
    trpc.console.setSettings.mutationOptions({
      onSuccess: (data) => {
        queryClient.setQueryData(trpc.console.settings.queryKey({ name }), data);
        setDraft(null);
      },
    }),
  );
  const value = draft ?? settings.data ?? null;
  const set = (field: "user" | "shell") => (event: { target: { value: string } }) => {
    if (value) setDraft({ ...value, [field]: event.target.value });
    save.reset();
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (value) save.mutate({ name, user: value.user, shell: value.shell });
  };
  const userError = fieldError(save.error, "user");
  const shellError = fieldError(save.error, "shell");

  return (
    <section aria-labelledby="shell-settings-heading" className="max-w-xl space-y-2">
      <h3 id="shell-settings-heading" className="text-base font-semibold">
        {t("heading")}
      </h3>
      <p className="text-sm text-slate-600 dark:text-slate-400">{t("intro")}</p>
      {settings.isError && <ErrorAlert error={settings.error} title={t("loadError")} />}
      {value && (
        <form onSubmit={onSubmit} aria-labelledby="shell-settings-heading" className="space-y-3">
          <TextField
            label={t("user")}
            help={t("userHelp")}
            value={value.user}
            onChange={set("user")}
            error={userError}
            autoComplete="off"
            spellCheck={false}
          />
          <TextField
            label={t("shell")}
            help={t("shellHelp")}
            value={value.shell}
            onChange={set("shell")}
            error={shellError}
            autoComplete="off"
            spellCheck={false}
          />
          {save.isError && !userError && !shellError && (
            <ErrorAlert error={save.error} title={t("saveError")} />
          )}
          <div className="flex items-center gap-3">
            <Button type="submit" variant="primary" isPending={save.isPending}>
              {t("save")}
            </Button>
            <p role="status" className="text-sm">
              {save.isSuccess && t("saved")}
            </p>
          </div>
        </form>
      )}
    </section>
  );
}
