"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useId, useState, type ReactNode } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ErrorAlert } from "@/components/ui/error-alert";
import { ModalDialog } from "@/components/ui/modal-dialog";
import { SelectField } from "@/components/ui/select-field";
import { TextField } from "@/components/ui/text-field";
import {
  MODE_BITS,
  PERMISSION_WHAT,
  PERMISSION_WHO,
  SPECIAL_BITS,
  baseNameOf,
  isValidName,
  joinPath,
  modeText,
  octalOf,
  parentOf,
  parseOctal,
  withBit,
} from "./files-draft";
import type { TFileEntry } from "./files-types";

/** What the tab asks of the user: one dialog at a time, about one entry (or the directory, for a new one). */
type TNewAction = "newFile" | "newDirectory";
type TEntryAction = "rename" | "delete" | "chmod" | "chown";
export type TFileAsk =
  | { [A in TNewAction]: { action: A; directory: string } }[TNewAction]
  | { [A in TEntryAction]: { action: A; entry: TFileEntry } }[TEntryAction]
  | null;

/** A dialog with a form: its title, fields, the server's refusal under them, Cancel and the action. */
function FormDialog({
  open,
  title,
  submitLabel,
  isPending,
  error,
  canSubmit = true,
  onSubmit,
  onCancel,
  children,
}: {
  open: boolean;
  title: string;
  submitLabel: string;
  isPending: boolean;
  error: unknown;
  canSubmit?: boolean;
  onSubmit: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  const t = useTranslations("common");
  const titleId = useId();
  return (
    <ModalDialog open={open} labelledBy={titleId} onCancel={onCancel} width="lg">
      <form
        className="space-y-4 p-5"
        onSubmit={(event) => {
          event.preventDefault();
          if (canSubmit) onSubmit();
        }}
      >
        <h2 id={titleId} className="text-lg font-semibold">
          {title}
        </h2>
        {children}
        {error !== null && error !== undefined && <ErrorAlert error={error} />}
        <div className="flex justify-end gap-2">
          <Button onClick={onCancel}>{t("cancel")}</Button>
          <Button type="submit" variant="primary" disabled={!canSubmit} isPending={isPending}>
            {submitLabel}
          </Button>
        </div>
      </form>
    </ModalDialog>
  );
}

/** The mutations' shared ending: the listing (and an open file) read again, the dialog closed. */
const useDone = (onClose: () => void) => {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries(trpc.files.pathFilter());
    onClose();
  };
};

/** A new file or directory in the directory shown, or a new name for an entry (in the same directory). */
function NameDialog({ name, ask, onClose }: { name: string; ask: TFileAsk; onClose: () => void }) {
  const t = useTranslations("files.dialogs");
  const trpc = useTRPC();
  const done = useDone(onClose);
  const [value, setValue] = useState(ask?.action === "rename" ? baseNameOf(ask.entry.path) : "");
  const write = useMutation(trpc.files.write.mutationOptions({ onSuccess: done }));
  const mkdir = useMutation(trpc.files.mkdir.mutationOptions({ onSuccess: done }));
  const rename = useMutation(trpc.files.rename.mutationOptions({ onSuccess: done }));
  if (ask?.action !== "newFile" && ask?.action !== "newDirectory" && ask?.action !== "rename") return null;
  const directory = ask.action === "rename" ? parentOf(ask.entry.path) : ask.directory;
  const target = joinPath(directory, value.trim());
  const isValid = isValidName(value.trim());
  const active = ask.action === "newFile" ? write : ask.action === "newDirectory" ? mkdir : rename;
  return (
    <FormDialog
      open
      title={
        ask.action === "rename"
          ? t("rename.title", { path: ask.entry.path })
          : t(`${ask.action}.title`, { path: directory })
      }
      submitLabel={t(`${ask.action}.submit`)}
      isPending={active.isPending}
      error={active.error}
      canSubmit={isValid}
      onCancel={onClose}
      onSubmit={() => {
        if (ask.action === "newFile") write.mutate({ name, path: target, content: "" });
        else if (ask.action === "newDirectory") mkdir.mutate({ name, path: target });
        else rename.mutate({ name, from: ask.entry.path, to: target });
      }}
    >
      <TextField
        label={t("nameLabel")}
        value={value}
        onChange={(event) => setValue(event.target.value)}
        autoComplete="off"
        spellCheck={false}
        error={value !== "" && !isValid ? t("badName") : null}
        help={value.trim() ? t("willBe", { path: target }) : undefined}
        autoFocus
      />
    </FormDialog>
  );
}

/** Delete, named and confirmed; a directory's confirmation says that all it holds goes too. */
function DeleteDialog({ name, ask, onClose }: { name: string; ask: TFileAsk; onClose: () => void }) {
  const t = useTranslations("files.dialogs.delete");
  const trpc = useTRPC();
  const done = useDone(onClose);
  const remove = useMutation(trpc.files.delete.mutationOptions({ onSuccess: done }));
  const entry = ask?.action === "delete" ? ask.entry : null;
  const isDirectory = entry?.kind === "directory";
  return (
    <ConfirmDialog
      open={entry !== null}
      title={t("title", { path: entry?.path ?? "" })}
      confirmLabel={t("confirm")}
      onCancel={() => {
        remove.reset();
        onClose();
      }}
      onConfirm={() => {
        if (entry) remove.mutate({ name, path: entry.path, recursive: isDirectory });
      }}
    >
      <p>
        {isDirectory
          ? t("directory", { path: entry?.path ?? "" })
          : entry?.kind === "symlink"
            ? t("link", { path: entry.path })
            : t("file", { path: entry?.path ?? "" })}
      </p>
      {remove.isError && <ErrorAlert error={remove.error} />}
    </ConfirmDialog>
  );
}

/** chmod: read/write/execute for the owner, the group and the others, the special bits, and the octal they make. */
function ModeDialog({ name, ask, onClose }: { name: string; ask: TFileAsk; onClose: () => void }) {
  const t = useTranslations("files.dialogs.chmod");
  const trpc = useTRPC();
  const done = useDone(onClose);
  const chmod = useMutation(trpc.files.chmod.mutationOptions({ onSuccess: done }));
  const entry = ask?.action === "chmod" ? ask.entry : null;
  const [mode, setMode] = useState(entry?.mode ?? 0);
  const [octal, setOctal] = useState(octalOf(entry?.mode ?? 0));
  const octalId = useId();
  if (!entry) return null;
  const set = (next: number) => {
    setMode(next);
    setOctal(octalOf(next));
  };
  const isOctalValid = parseOctal(octal) !== null;
  return (
    <FormDialog
      open
      title={t("title", { path: entry.path })}
      submitLabel={t("submit")}
      isPending={chmod.isPending}
      error={chmod.error}
      canSubmit={isOctalValid}
      onCancel={onClose}
      onSubmit={() => chmod.mutate({ name, path: entry.path, mode })}
    >
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">{t("permissions")}</legend>
        <table className="text-sm">
          <thead>
            <tr>
              <td />
              {PERMISSION_WHAT.map((what) => (
                <th key={what} scope="col" className="px-3 font-medium">
                  {t(`what.${what}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {PERMISSION_WHO.map((who) => (
              <tr key={who}>
                <th scope="row" className="pr-3 text-left font-medium">
                  {t(`who.${who}`)}
                </th>
                {MODE_BITS.filter((bit) => bit.who === who).map((bit) => (
                  <td key={bit.what} className="px-3 text-center">
                    <input
                      type="checkbox"
                      aria-label={t("bit", { who: t(`who.${who}`), what: t(`what.${bit.what}`) })}
                      checked={(mode & bit.bit) !== 0}
                      onChange={(event) => set(withBit(mode, bit.bit, event.target.checked))}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </fieldset>
      <fieldset className="flex flex-wrap gap-4 text-sm">
        <legend className="mb-1 font-medium">{t("special")}</legend>
        {SPECIAL_BITS.map((bit) => (
          <label key={bit.what} className="flex items-center gap-1.5">
            <input
              type="checkbox"
              checked={(mode & bit.bit) !== 0}
              onChange={(event) => set(withBit(mode, bit.bit, event.target.checked))}
            />
            {t(`specials.${bit.what}`)}
          </label>
        ))}
      </fieldset>
      <div className="flex items-end gap-3">
        <div className="space-y-1">
          <label htmlFor={octalId} className="block text-sm font-medium">
            {t("octal")}
          </label>
          <input
            id={octalId}
            value={octal}
            inputMode="numeric"
            autoComplete="off"
            aria-invalid={!isOctalValid}
            onChange={(event) => {
              setOctal(event.target.value);
              const parsed = parseOctal(event.target.value);
              if (parsed !== null) setMode(parsed);
            }}
            className="w-24 rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm aria-[invalid=true]:border-red-600 dark:border-slate-600 dark:bg-slate-800"
          />
        </div>
        <code className="pb-2 font-mono text-sm" translate="no">
          {modeText(mode, entry.kind)}
        </code>
      </div>
      {!isOctalValid && <p className="text-sm text-red-700 dark:text-red-300">{t("badOctal")}</p>}
    </FormDialog>
  );
}

/** chown: the container's own users and groups (its /etc/passwd and /etc/group), as it names them. */
function OwnerDialog({ name, ask, onClose }: { name: string; ask: TFileAsk; onClose: () => void }) {
  const t = useTranslations("files.dialogs.chown");
  const trpc = useTRPC();
  const done = useDone(onClose);
  const entry = ask?.action === "chown" ? ask.entry : null;
  const accounts = useQuery({ ...trpc.files.accounts.queryOptions({ name }), enabled: entry !== null });
  const chown = useMutation(trpc.files.chown.mutationOptions({ onSuccess: done }));
  const [user, setUser] = useState(entry?.user ?? String(entry?.uid ?? ""));
  const [group, setGroup] = useState(entry?.group ?? String(entry?.gid ?? ""));
  if (!entry) return null;
  // The current owner stays a choice even when the guest has no name for it (an id only).
  const users = [...new Set([user, ...(accounts.data?.users.map((account) => account.name) ?? [])])];
  const groups = [...new Set([group, ...(accounts.data?.groups.map((account) => account.name) ?? [])])];
  return (
    <FormDialog
      open
      title={t("title", { path: entry.path })}
      submitLabel={t("submit")}
      isPending={chown.isPending}
      error={chown.error ?? accounts.error}
      canSubmit={!accounts.isPending}
      onCancel={onClose}
      onSubmit={() => chown.mutate({ name, path: entry.path, user, group })}
    >
      <p className="text-sm text-slate-600 dark:text-slate-300">{t("note")}</p>
      <div className="grid grid-cols-2 gap-3">
        <SelectField
          label={t("user")}
          value={user}
          options={users}
          onChange={(event) => setUser(event.target.value)}
        />
        <SelectField
          label={t("group")}
          value={group}
          options={groups}
          onChange={(event) => setGroup(event.target.value)}
        />
      </div>
    </FormDialog>
  );
}

/** The tab's dialogs; the one `ask` names is open. Keyed by what is asked, so each opens with fresh fields. */
export function FileDialogs({ name, ask, onClose }: { name: string; ask: TFileAsk; onClose: () => void }) {
  const key = ask ? `${ask.action}:${"entry" in ask ? ask.entry.path : ask.directory}` : "none";
  return (
    <>
      <NameDialog key={`name-${key}`} name={name} ask={ask} onClose={onClose} />
      <DeleteDialog name={name} ask={ask} onClose={onClose} />
      <ModeDialog key={`mode-${key}`} name={name} ask={ask} onClose={onClose} />
      <OwnerDialog key={`owner-${key}`} name={name} ask={ask} onClose={onClose} />
    </>
  );
}
