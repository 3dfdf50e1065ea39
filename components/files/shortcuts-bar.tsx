"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { ModalDialog } from "@/components/ui/modal-dialog";
import { TextField } from "@/components/ui/text-field";
import { POINTS_TO, baseNameOf } from "./files-draft";

/**
 * The files the seed edits by hand after a creation, one click away: fstab, the network files the guest uses,
 * hostname, hosts, resolv.conf (each opens in the editor; a missing one opens empty, to be created), and the init:
 * where /sbin/init points, and a confirmed way to point it elsewhere (a link replaced, never followed).
 */
export function ShortcutsBar({
  name,
  canChange,
  onOpen,
}: {
  name: string;
  canChange: boolean;
  onOpen: (path: string) => void;
}) {
  const t = useTranslations("files.shortcuts");
  const trpc = useTRPC();
  const shortcuts = useQuery(trpc.files.shortcuts.queryOptions({ name }));
  const [isRepointing, setIsRepointing] = useState(false);
  if (shortcuts.isError) return <ErrorAlert error={shortcuts.error} title={t("notRead")} />;
  if (!shortcuts.data) return null;
  const items = shortcuts.data.items;
  const init = items.find((item) => item.key === "init");
  return (
    <nav aria-label={t("label")} className="flex flex-wrap items-center gap-2 text-sm">
      <span className="font-medium">{t("label")}</span>
      {items
        .filter((item) => item.key !== "init")
        .map((item) => (
          <Button
            key={item.path}
            size="sm"
            onClick={() => onOpen(item.path)}
            title={item.path}
            className={item.exists ? "" : "border-dashed"}
          >
            {item.key === "network" ? (
              <span translate="no">{baseNameOf(item.path)}</span>
            ) : (
              t(`keys.${item.key}`)
            )}
            {!item.exists && <span className="text-xs"> {t("missing")}</span>}
          </Button>
        ))}
      {init && (
        <span className="inline-flex items-center gap-1">
          <span>{t("keys.init")}</span>
          <code className="font-mono text-xs" translate="no" data-testid="init-target">
            {init.path}
            {init.linkTarget !== null ? ` ${POINTS_TO} ${init.linkTarget}` : ""}
          </code>
          {canChange && (
            <Button size="sm" onClick={() => setIsRepointing(true)}>
              {t("repoint")}
            </Button>
          )}
        </span>
      )}
      {isRepointing && init && (
        <RepointDialog
          name={name}
          path={init.path}
          current={init.linkTarget}
          isLink={init.kind === "symlink"}
          onClose={() => setIsRepointing(false)}
        />
      )}
    </nav>
  );
}

/** Points /sbin/init at another program: what it is now, the new target (the guest's text), confirmed. */
function RepointDialog({
  name,
  path,
  current,
  isLink,
  onClose,
}: {
  name: string;
  path: string;
  current: string | null;
  isLink: boolean;
  onClose: () => void;
}) {
  const t = useTranslations("files.shortcuts.init");
  const tCommon = useTranslations("common");
  const titleId = useId();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [target, setTarget] = useState(current ?? "");
  const symlink = useMutation(
    trpc.files.symlink.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries(trpc.files.pathFilter());
        onClose();
      },
    }),
  );
  const trimmed = target.trim();
  return (
    <ModalDialog open labelledBy={titleId} onCancel={onClose} width="lg">
      <form
        className="space-y-4 p-5"
        onSubmit={(event) => {
          event.preventDefault();
          if (trimmed) symlink.mutate({ name, path, target: trimmed });
        }}
      >
        <h2 id={titleId} className="text-lg font-semibold">
          {t("title", { path })}
        </h2>
        <p className="text-sm">
          {isLink ? t("now", { path, target: current ?? "" }) : t("notLink", { path })}
        </p>
        <TextField
          label={t("target")}
          value={target}
          onChange={(event) => setTarget(event.target.value)}
          help={t("help")}
          autoComplete="off"
          spellCheck={false}
        />
        {symlink.isError && <ErrorAlert error={symlink.error} />}
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>{tCommon("cancel")}</Button>
          <Button
            type="submit"
            variant="danger"
            disabled={!trimmed || trimmed === current}
            isPending={symlink.isPending}
          >
            {t("confirm", { target: trimmed })}
          </Button>
        </div>
      </form>
    </ModalDialog>
  );
}
