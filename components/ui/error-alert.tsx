"use client";

import { TRPCClientError } from "@trpc/client";
import { useTranslations } from "next-intl";
import { useCallback } from "react";
import { fieldError } from "@/components/ui/text-field";

type TErrorData = {
  hint?: string | null;
  httpStatus?: number;
  code?: string;
  field?: string | null;
  messageId?: string | null;
  params?: Record<string, string | number> | null;
};

type TWords = { message: string; hint: string | null };

/**
 * What went wrong, and what to do about it, in the page's language: a server error that names its sentence in the
 * catalogue (server/errors.ts, `said`) is worded from it; one that does not keeps the server's English.
 */
export const useDescribeError = () => {
  const t = useTranslations();
  return useCallback(
    (error: unknown): TWords => {
      if (error instanceof TRPCClientError) {
        const data = error.data as TErrorData | undefined;
        const id = data?.messageId;
        const key = `errors.${id}.message`;
        if (id && t.has(key as never)) {
          const params = (data.params ?? {}) as never;
          const hintKey = `errors.${id}.hint`;
          return {
            message: t(key as never, params),
            hint: t.has(hintKey as never) ? t(hintKey as never, params) : (data.hint ?? null),
          };
        }
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
  return useCallback(
    (error: unknown, field: string) => {
      const english = fieldError(error, field);
      if (english === null) return null;
      const data = (error as { data?: TErrorData } | null)?.data;
      return data?.messageId ? describe(error).message : english;
    },
    [describe],
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
