import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import type { TAppErrorCode } from "../errors";
import { issueWords } from "../schemas/issue-words";

/** The one table from domain error codes to tRPC codes (and so HTTP statuses). */
export const APP_ERROR_TO_TRPC: Record<TAppErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_REQUEST: "BAD_REQUEST", // 400
  UNAUTHORIZED: "UNAUTHORIZED", // 401
  FORBIDDEN: "FORBIDDEN", // 403
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS", // 429
  NOT_FOUND: "NOT_FOUND", // 404
  CONFLICT: "CONFLICT", // 409
  PRECONDITION_FAILED: "PRECONDITION_FAILED", // 412
  TIMEOUT: "GATEWAY_TIMEOUT", // 504
  LXC_UNAVAILABLE: "SERVICE_UNAVAILABLE", // 503
  LXC_FAILED: "INTERNAL_SERVER_ERROR", // 500
  INTERNAL: "INTERNAL_SERVER_ERROR", // 500
};

export const toTRPCError = (error: { code: TAppErrorCode; message: string }) =>
  new TRPCError({ code: APP_ERROR_TO_TRPC[error.code], message: error.message, cause: error });

type TIssue = { path?: readonly (PropertyKey | { key: PropertyKey })[]; message: string; params?: unknown };

/**
 * A field's problem: the field's dotted path, the English message, and, for a message of the `validation` catalogue
 * (server/schemas/issue-words.ts), its id and values, for the pages to word it in the reader's language.
 */
export type TFieldIssue = {
  field: string;
  message: string;
  id?: string;
  params?: Readonly<Record<string, unknown>>;
};

/** Validation issues of a zod (or any Standard Schema) error, with dotted field paths. */
export const validationIssues = (cause: unknown): TFieldIssue[] | null => {
  const issues = (cause as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues)) return null;
  return (issues as TIssue[]).map((issue) => {
    const words = issueWords(issue);
    return {
      field:
        (issue.path ?? []).map((part) => String(typeof part === "object" ? part.key : part)).join(".") ||
        "input",
      message: issue.message,
      ...(words ? { id: words.id, params: words.params ?? {} } : {}),
    };
  });
};

/** The sentence shown for an error: for invalid input, the first issue with its field instead of the raw list. */
export const describeError = (error: { code: string; message: string; cause?: unknown }) => {
  const first = error.code === "BAD_REQUEST" ? validationIssues(error.cause)?.[0] : undefined;
  return first ? `${first.field}: ${first.message}` : error.message;
};
