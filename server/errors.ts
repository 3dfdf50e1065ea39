/**
 * Domain errors. Domain code throws these and never imports tRPC; server/trpc/errors.ts maps each code to a
 * tRPC code and HTTP status in one table.
 */
export type TAppErrorCode =
  | "BAD_REQUEST" // the input is wrong; `field` names it
  | "UNAUTHORIZED" // no valid session or token
  | "FORBIDDEN" // signed in, but the role does not allow this
  | "TOO_MANY_REQUESTS" // rate limited; the message says when to try again
  | "NOT_FOUND" // the container (or other object) does not exist
  | "CONFLICT" // another operation on the same object is running, or the name is taken
  | "PRECONDITION_FAILED" // the object is in the wrong state for this; `hint` says what to do
  | "TIMEOUT" // an external command did not finish in time
  | "LXC_UNAVAILABLE" // the lxc tools are missing or cannot run
  | "LXC_FAILED" // an lxc tool failed; `stderr` holds what it said
  | "INTERNAL";

export type TAppErrorOptions = {
  message: string;
  /** What the user can do about it, in words. */
  hint?: string;
  /** The input field at fault, for BAD_REQUEST. */
  field?: string;
  /** What the external command printed on stderr, trimmed. */
  stderr?: string;
  /** Problems tied to lines of a text the user sent (an invalid config). */
  problems?: TLineProblem[];
  cause?: unknown;
};

export type TLineProblem = { line: number; severity: "error" | "warning"; message: string };

export class AppError extends Error {
  readonly code: TAppErrorCode;
  readonly hint: string | undefined;
  readonly field: string | undefined;
  readonly stderr: string | undefined;
  readonly problems: TLineProblem[] | undefined;

  constructor(code: TAppErrorCode, options: TAppErrorOptions) {
    super(options.message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.hint = options.hint;
    this.field = options.field;
    this.stderr = options.stderr;
    this.problems = options.problems;
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;

/** The one wording of a missing container, on either side of the helper's socket. */
export const containerNotFound = (lxcPath: string, name: string) =>
  new AppError("NOT_FOUND", {
    message: `There is no container named "${name}"`,
    hint: `Check the name; containers are looked up in ${lxcPath}.`,
  });
