import { initTRPC } from "@trpc/server";
import superjson from "superjson";
import { isAppError } from "../errors";
import type { TContext } from "./context";
import { describeError, validationIssues } from "./errors";

export const t = initTRPC.context<TContext>().create({
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
      },
    };
  },
});
