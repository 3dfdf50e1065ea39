"use client";

import { TRPCClientError } from "@trpc/client";
import { useTranslations } from "next-intl";
import { useCallback } from "react";
import {
  useValidationWords,
  wordIn,
  wordProblem,
  type TSaidProblem,
  type TTranslator,
} from "@/components/i18n/use-validation-words";
import { fieldError } from "@/components/ui/text-field";
import { englishOf, type TLooseWords } from "@/server/i18n/validation-words";

/** A field's problem as the API sends it (server/trpc/errors.ts, `validationIssues`). */
type TFieldIssue = TSaidProblem & { field: string };

type TErrorData = {
  hint?: string | null;
  httpStatus?: number;
  code?: string;
  field?: string | null;
  fieldErrors?: TFieldIssue[] | null;
  problems?: TSaidProblem[] | null;
  messageId?: string | null;
  params?: Record<string, string | number> | null;
};

type TWords = { message: string; hint: string | null };

/**
 * An error's values in the page's language where they are the English of one of its own line problems (a refused
 * config names its first problem, or a line's admin-only reason, in its sentence): the problem carries that
 * sentence's id and values, so the value is worded from them. Other values stay as they are (names, paths).
 */
export const wordedParams = (
  t: TTranslator,
  params: Record<string, string | number>,
  problems: readonly TSaidProblem[],
) => {
  const known = new Map<string, TLooseWords>();
  const collect = (words: TLooseWords) => {
    known.set(englishOf(words), words);
    for (const value of Object.values(words.params ?? {}))
      if (typeof value === "object" && value !== null && typeof (value as { id?: unknown }).id === "string")
        collect(value as TLooseWords);
  };
  for (const problem of problems)
    if (problem.id !== undefined) collect({ id: problem.id, params: problem.params });
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => {
      const words = typeof value === "string" ? known.get(value) : undefined;
      return [name, words ? wordIn(t, words, String(value)) : value];
    }),
  );
};

/**
 * What went wrong, and what to do about it, in the page's language: a server error that names its sentence in the
 * catalogue (server/errors.ts, `said`) is worded from it, as is invalid input whose first problem is a sentence of
 * the shared schemas (`validation`); one that does neither keeps the server's English.
 */
export const useDescribeError = () => {
  const t = useTranslations();
  return useCallback(
    (error: unknown): TWords => {
      if (error instanceof TRPCClientError) {
        const data = error.data as TErrorData | undefined;
        const id = data?.messageId;
        const key = `errors.${id}.message`;
        const translator = t as unknown as TTranslator;
        if (id && t.has(key as never)) {
          const params = wordedParams(translator, data.params ?? {}, data.problems ?? []) as never;
          const hintKey = `errors.${id}.hint`;
          return {
            message: t(key as never, params),
            hint: t.has(hintKey as never) ? t(hintKey as never, params) : (data.hint ?? null),
          };
        }
        const [issue] = data?.fieldErrors ?? [];
        if (issue?.id !== undefined && error.message === `${issue.field}: ${issue.message}`)
          return {
            message: t("validation.fieldProblem", {
              field: issue.field,
              problem: wordProblem(translator, issue),
            }),
            hint: data?.hint ?? null,
          };
        return { message: error.message, hint: data?.hint ?? null };
      }
      if (error instanceof Error) return { message: error.message, hint: t("common.errors.unreachableHint") };
      return { message: t("common.errors.unknown"), hint: null };
    },
    [t],
  );
};

/** A form field's error from a tRPC BAD_REQUEST when it names that field, in the page's language. */
export const useFieldError = () => {
  const describe = useDescribeError();
  const words = useValidationWords();
  return useCallback(
    (error: unknown, field: string) => {
      const english = fieldError(error, field);
      if (english === null) return null;
      const data = (error as { data?: TErrorData } | null)?.data;
      if (data?.messageId) return describe(error).message;
      const issue = data?.fieldErrors?.find((candidate) => candidate.field === field);
      return issue ? words.problem(issue) : english;
    },
    [describe, words],
  );
};

export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  const { message, hint } = useDescribeError()(error);
  return (
    <div
      role="alert"
      className="rounded-md border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
    >
      {title && <p className="font-semibold">{title}</p>}
      <p>{message}</p>
      {hint && <p className="mt-1 text-red-800 dark:text-red-200">{hint}</p>}
    </div>
  );
}
