"use client";

import { useTranslations } from "next-intl";
import { useId, useState, type ReactNode } from "react";
import { Button } from "./button";
import { ModalDialog } from "./modal-dialog";

type TConfirmDialogProps = {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** When set, the user must type this text to enable the confirm button (for destructive actions). */
  requireText?: string;
  onConfirm: () => void;
  onCancel: () => void;
};

/** A modal confirmation on the native <dialog>: focus is trapped, Escape cancels, the opener gets focus back. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  requireText,
  onConfirm,
  onCancel,
}: TConfirmDialogProps) {
  const t = useTranslations("common");
  const titleId = useId();
  const inputId = useId();
  const [typed, setTyped] = useState("");

  const canConfirm = requireText === undefined || typed === requireText;

  return (
    <ModalDialog open={open} labelledBy={titleId} onCancel={onCancel} onOpen={() => setTyped("")}>
      <form
        method="dialog"
        className="space-y-4 p-5"
        onSubmit={(event) => {
          event.preventDefault();
          if (canConfirm) onConfirm();
        }}
      >
        <h2 id={titleId} className="text-lg font-semibold">
          {title}
        </h2>
        <div className="space-y-2 text-sm text-slate-700 dark:text-slate-300">{children}</div>
        {requireText !== undefined && (
          <div className="space-y-1">
            <label htmlFor={inputId} className="block text-sm">
              {t.rich("typeToConfirm", {
                text: requireText,
                strong: (chunks) => <strong className="font-mono">{chunks}</strong>,
              })}
            </label>
            <input
              id={inputId}
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
              autoComplete="off"
              spellCheck={false}
              className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm dark:border-slate-600 dark:bg-slate-800"
            />
          </div>
        )}
        <div className="flex justify-end gap-2">
          <Button onClick={onCancel}>{t("cancel")}</Button>
          <Button type="submit" variant="danger" disabled={!canConfirm}>
            {confirmLabel}
          </Button>
        </div>
      </form>
    </ModalDialog>
  );
}
