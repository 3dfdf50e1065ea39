"use client";

import { useTranslations } from "next-intl";
import { useMemo } from "react";
import { sayWords, type TLooseWords } from "@/server/i18n/validation-words";
import { issueWords } from "@/server/schemas/issue-words";

/**
 * What the shared rules say of a value, in the page's language: a zod issue of the shared schemas (a form's own
 * check, or a field error the API sent), a config's line problem, a value's check, a line's admin lock. Each names
 * its sentence in the `validation` catalogue with its values (server/i18n/validation-words.ts); one that names none,
 * or a sentence this page does not know, is shown as the rule wrote it (its English).
 */
export type TTranslator = {
  (id: never, values?: never): string;
  has: (id: never) => boolean;
};

/** A problem or an issue as it arrives: its English, maybe its sentence's id and values. */
export type TSaidProblem = {
  readonly message: string;
  readonly id?: string;
  readonly params?: Readonly<Record<string, unknown>>;
};

const isWords = (value: unknown): value is TLooseWords =>
  typeof value === "object" && value !== null && typeof (value as { id?: unknown }).id === "string";

/** Whether the translator knows a sentence and every sentence among its values. */
const knows = (t: TTranslator, words: TLooseWords): boolean =>
  t.has(words.id as never) &&
  Object.values(words.params ?? {}).every((value) => !isWords(value) || knows(t, value));

/** Words in the translator's language, or the English given when it does not know them. */
export const wordIn = (t: TTranslator, words: TLooseWords | null | undefined, english: string): string =>
  words && knows(t, words) ? sayWords((id, values) => t(id as never, values as never), words) : english;

/** A problem (a config line's, a field's) in the translator's language. */
export const wordProblem = (t: TTranslator, problem: TSaidProblem): string =>
  wordIn(t, problem.id === undefined ? null : { id: problem.id, params: problem.params }, problem.message);

/** A zod issue of a shared schema in the translator's language. */
export const wordIssue = (t: TTranslator, issue: { message: string; params?: unknown }): string =>
  wordIn(t, issueWords(issue), issue.message);

/** `const words = useValidationWords(); words.issue(result.error.issues[0])`, `words.problem(problem)`. */
export const useValidationWords = () => {
  const t = useTranslations() as unknown as TTranslator;
  return useMemo(
    () => ({
      /** Words (a lock's reason, a value's problem) in the page's language, else the English given. */
      words: (words: TLooseWords | null | undefined, english: string) => wordIn(t, words, english),
      problem: (problem: TSaidProblem) => wordProblem(t, problem),
      issue: (issue: { message: string; params?: unknown }) => wordIssue(t, issue),
    }),
    [t],
  );
};

export type TValidationWordsOf = ReturnType<typeof useValidationWords>;
