"use client";

import { useTranslations } from "next-intl";
import { createContext, useContext, type ReactNode } from "react";
import type { TWorded } from "@/server/i18n/validation-words";
import { adminReasonWords, type TPrivilegeContext } from "@/server/schemas/lxc-config/privileges";
import { useConfigWords } from "./problem-words";

/**
 * Why only an admin may write a config line, for the settings form's fields: the same pure rule the server enforces
 * (server/lxc-config/privileges.ts), computed in the browser. Null for admins, and for lines anyone may write.
 */
type TReasonFor = (key: string, value: string) => TWorded | null;

/** The padlock before a locked line (a symbol, hidden from screen readers). */
export const LOCK = "🔒 ";

const AdminLocksContext = createContext<TReasonFor>(() => null);

export function AdminLocksProvider({
  context,
  isAdmin,
  children,
}: {
  context: TPrivilegeContext;
  isAdmin: boolean;
  children: ReactNode;
}) {
  const reasonFor: TReasonFor = isAdmin ? () => null : (key, value) => adminReasonWords(key, value, context);
  return <AdminLocksContext.Provider value={reasonFor}>{children}</AdminLocksContext.Provider>;
}

export const useAdminLock = () => useContext(AdminLocksContext);

/** The note under a field whose line only an admin may change (the rule's reason in the page's language). */
export function AdminLockNote({ reason }: { reason: TWorded | null }) {
  const t = useTranslations("config.locked");
  const words = useConfigWords();
  if (!reason) return null;
  return (
    <p className="text-xs text-amber-800 dark:text-amber-300">
      <span aria-hidden="true">{LOCK}</span>
      {t("note", { reason: words.problem(reason) })}
    </p>
  );
}
