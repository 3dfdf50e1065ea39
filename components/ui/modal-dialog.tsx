"use client";

import { useEffect, useRef, type ReactNode } from "react";

type TModalDialogProps = {
  open: boolean;
  /** The id of the element that names the dialog (its heading). */
  labelledBy: string;
  /** Escape, or the dialog closing by itself. */
  onCancel: () => void;
  /** Called as the dialog opens (a form resets its fields). */
  onOpen?: () => void;
  width?: "md" | "lg";
  children: ReactNode;
};

/**
 * A modal on the native <dialog>, the one frame of the confirmations and the shortcuts sheet: focus is trapped,
 * Escape cancels, the element that had focus gets it back.
 */
export function ModalDialog({
  open,
  labelledBy,
  onCancel,
  onOpen,
  width = "md",
  children,
}: TModalDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const opened = useRef(onOpen);
  useEffect(() => {
    opened.current = onOpen;
  });
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opened.current?.();
      dialog.showModal();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={labelledBy}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
      className={`m-auto w-full ${width === "lg" ? "max-w-lg" : "max-w-md"} rounded-lg border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-black/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100`}
    >
      {children}
    </dialog>
  );
}
