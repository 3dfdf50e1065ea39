"use client";

import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { lookupKey } from "@/server/schemas/lxc-config/catalogue";
import type { LxcConfig } from "@/server/schemas/lxc-config/model";
import { AdminLockNote, LOCK, useAdminLock } from "./admin-locks";
import { useConfigWords } from "./problem-words";
import {
  addValue,
  cleanTyped,
  isWritable,
  lineOf,
  lockProbe,
  newValueProblem,
  problemOf,
  removeValue,
  setKey,
  shownLock,
  type TChange,
} from "./settings-form-draft";

/** The settings form's two kinds of field, each showing the exact line it writes and its admin lock. */
export type TEdit = (change: TChange) => void;

/** One single-valued key: empty removes the line. */
export function KeyField({
  config,
  edit,
  configKey,
  label,
  placeholder,
  options,
}: {
  config: LxcConfig;
  edit: TEdit;
  configKey: string;
  label: string;
  placeholder?: string;
  options?: readonly string[];
}) {
  const t = useTranslations("config.fields");
  const words = useConfigWords();
  const id = useId();
  const value = config.get(configKey) ?? "";
  // What is being typed: written to the text as soon as it has no space at either end (a line cannot end in one).
  const [typing, setTyping] = useState<string | null>(null);
  const info = lookupKey(configKey);
  const problem = problemOf(configKey, value);
  const lockReason = useAdminLock()(configKey, lockProbe(value));
  const set = (next: string) => edit(setKey(configKey, next));
  const type = (next: string) => {
    const clean = cleanTyped(next);
    setTyping(clean);
    if (isWritable(clean)) set(clean);
  };
  const isBool = info?.type === "bool";
  return (
    <div className="grid gap-1 md:grid-cols-3 md:items-start md:gap-3">
      <label htmlFor={id} className="text-sm font-medium md:pt-2">
        {label}
      </label>
      <div className="space-y-1 md:col-span-2">
        {isBool ? (
          <input
            id={id}
            type="checkbox"
            checked={value === "1"}
            onChange={(event) => set(event.target.checked ? "1" : "")}
            className="h-4 w-4"
          />
        ) : options ? (
          <select
            id={id}
            value={value}
            onChange={(event) => set(event.target.value)}
            className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-600 dark:bg-slate-800"
          >
            <option value="">{t("notSet")}</option>
            {options.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        ) : (
          <input
            id={id}
            value={typing ?? value}
            placeholder={placeholder}
            aria-invalid={Boolean(problem)}
            aria-describedby={`${id}-line`}
            onChange={(event) => type(event.target.value)}
            onBlur={() => {
              if (typing !== null && typing !== typing.trim()) set(typing.trim());
              setTyping(null);
            }}
            className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm aria-[invalid=true]:border-red-600 dark:border-slate-600 dark:bg-slate-800"
          />
        )}
        <p id={`${id}-line`} className="text-xs text-slate-500 dark:text-slate-400">
          {problem ? (
            <span className="text-red-700 dark:text-red-300">{words.problem(problem)}</span>
          ) : (
            <>
              {info && words.description(info)}
              {info?.apply === "live" ? ` · ${t("appliesLive")}` : ""} ·{" "}
              <code className="font-mono">
                {value === "" ? t("noLine", { key: configKey }) : lineOf(configKey, value)}
              </code>
            </>
          )}
        </p>
        <AdminLockNote reason={shownLock(configKey, value, lockReason)} />
      </div>
    </div>
  );
}

/** A repeatable key as a list: each value one line, removable; a new value is added after the group's last line. */
export function RepeatedKey({
  config,
  edit,
  configKey,
  label,
  placeholder,
  presets = [],
}: {
  config: LxcConfig;
  edit: TEdit;
  configKey: string;
  label: string;
  placeholder: string;
  presets?: { label: string; value: string }[];
}) {
  const t = useTranslations("config");
  const words = useConfigWords();
  const id = useId();
  const values = config.getAll(configKey);
  const info = lookupKey(configKey);
  const reasonFor = useAdminLock();
  const add = (value: string) => {
    const change = addValue(configKey, values, value);
    if (change) edit(change);
  };
  return (
    <div className="space-y-2">
      <p className="text-sm font-medium" id={`${id}-label`}>
        {label}
        <span className="ml-2 text-xs font-normal text-slate-500 dark:text-slate-400">
          {info && words.description(info)}
        </span>
      </p>
      <ul aria-labelledby={`${id}-label`} className="space-y-1">
        {values.map((value) => (
          <li
            key={value}
            className="flex items-center justify-between gap-2 rounded bg-slate-50 px-2 py-1 dark:bg-slate-800"
          >
            <code className="font-mono text-xs">
              {reasonFor(configKey, value) && (
                <span
                  title={t("locked.title", {
                    reason: words.problem(reasonFor(configKey, value) ?? { message: "" }),
                  })}
                >
                  {LOCK}
                </span>
              )}
              {lineOf(configKey, value)}
            </code>
            <Button size="sm" variant="ghost" onClick={() => edit(removeValue(configKey, value))}>
              {t("fields.remove")}
              <span className="sr-only" translate="no">
                {" "}
                {value}
              </span>
            </Button>
          </li>
        ))}
        {values.length === 0 && (
          <li className="text-xs text-slate-500 dark:text-slate-400">{t("fields.none")}</li>
        )}
      </ul>
      <form
        className="flex flex-wrap gap-2"
        onSubmit={(event) => {
          event.preventDefault();
          const input = event.currentTarget.elements.namedItem("value") as HTMLInputElement;
          const problem = newValueProblem(configKey, input.value, reasonFor(configKey, input.value.trim()));
          input.setCustomValidity(
            problem === null
              ? ""
              : "lock" in problem
                ? t("locked.cannotAdd", { reason: words.problem(problem.lock) })
                : words.problem(problem.value),
          );
          if (!input.reportValidity()) return;
          add(input.value);
          input.value = "";
        }}
      >
        <label htmlFor={`${id}-new`} className="sr-only">
          {t("fields.newValue", { label })}
        </label>
        <input
          id={`${id}-new`}
          name="value"
          placeholder={placeholder}
          onInput={(event) => event.currentTarget.setCustomValidity("")}
          className="min-w-64 flex-1 rounded-md border border-slate-300 bg-white px-3 py-1.5 font-mono text-sm dark:border-slate-600 dark:bg-slate-800"
        />
        <Button type="submit" size="sm">
          {t("fields.add")}
        </Button>
        {presets.map((preset) => (
          <Button
            key={preset.value}
            size="sm"
            variant="ghost"
            disabled={values.includes(preset.value)}
            onClick={() => add(preset.value)}
          >
            {preset.label}
          </Button>
        ))}
      </form>
    </div>
  );
}
