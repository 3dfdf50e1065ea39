import { initTRPC } from "@trpc/server";
import superjson from "superjson";
import { isAppError } from "../errors";
import type { TContext } from "./context";
import { describeError, validationIssues } from "./errors";

/** Which tier a procedure was built from (server/trpc/procedures.ts): the authorization test walks the router by it. */
export type TProcedureMeta = { tier: "public" | "viewer" | "operator" | "admin" };

export const t = initTRPC
  .context<TContext>()
  .meta<TProcedureMeta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      const issues = error.code === "BAD_REQUEST" ? validationIssues(error.cause) : null;
      const appError = isAppError(error.cause) ? error.cause : null;
      const first = issues?.[0];
      return {
        ...shape,
        // A sentence a person can read, naming the field, instead of the raw list of issues.
        message: describeError(error),
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          field: first?.field ?? appError?.field ?? null,
          fieldErrors: issues,
          hint: appError?.hint ?? null,
          stderr: appError?.stderr ?? null,
          problems: appError?.problems ?? null,
          // The catalogue's sentence and its values: the pages word the error in the reader's language.
          messageId: appError?.id ?? null,
          params: appError?.params ?? null,
        },
      };
    },
  });
