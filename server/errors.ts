import { englishAt } from "./i18n/icu";
import { MESSAGES, type TMessages } from "./i18n/messages";

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

/** An error's sentence in the catalogues (server/i18n/messages/<language>/errors.json): `message`, maybe `hint`. */
export type TErrorId = Extract<keyof TMessages["errors"], string>;
/** The values an error's sentence names (a container's name, a path, a count). */
export type TErrorParams = Record<string, string | number>;

export type TAppErrorOptions = {
  /** In English: the API's answer to scripts, and the log's. */
  message: string;
  /** The catalogue's sentence for it, so that the pages word it in the reader's language (see `said`). */
  id?: TErrorId;
  params?: TErrorParams;
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

export type TLineProblem = {
  line: number;
  severity: "error" | "warning";
  message: string;
  /** The message's sentence in the `validation` catalogue and its values, for the pages to word it. */
  id?: string;
  params?: Readonly<Record<string, unknown>>;
};

export class AppError extends Error {
  readonly code: TAppErrorCode;
  readonly hint: string | undefined;
  readonly field: string | undefined;
  readonly stderr: string | undefined;
  readonly problems: TLineProblem[] | undefined;
  readonly id: TErrorId | undefined;
  readonly params: TErrorParams | undefined;

  constructor(code: TAppErrorCode, options: TAppErrorOptions) {
    super(options.message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.hint = options.hint;
    this.field = options.field;
    this.stderr = options.stderr;
    this.problems = options.problems;
    this.id = options.id;
    this.params = options.params;
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;

const catalogue = MESSAGES.en.errors as Record<string, { message: string; hint?: string } | undefined>;

export const isErrorId = (id: string): id is TErrorId => Object.hasOwn(catalogue, id);

/**
 * An error's words from the catalogue: the English message and hint (for the API and the log) with the id and
 * values the pages word it from in the reader's language. `new AppError("NOT_FOUND", said("containerNotFound",
 * { name, lxcPath }))`.
 */
export const said = (id: TErrorId, params: TErrorParams = {}) => {
  const say = (part: "message" | "hint") => englishAt(MESSAGES.en, `errors.${id}.${part}`, params);
  return {
    id,
    params,
    message: say("message"),
    ...(catalogue[id]?.hint === undefined ? {} : { hint: say("hint") }),
  };
};

/** A value as an ICU select's key (which takes no "-"): "rolled-back" is "rolledBack". */
export const selectKey = (value: string) =>
  value.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase());

/** The one wording of a missing container, on either side of the helper's socket. */
export const containerNotFound = (lxcPath: string, name: string) =>
  new AppError("NOT_FOUND", said("containerNotFound", { name, lxcPath }));
