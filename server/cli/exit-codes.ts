import { constants } from "node:os";

/**
 * The exit codes of `atelier exec` and `atelier attach`, as coreutils' timeout and env use them: the command's own
 * code, 128 + N when signal N ended it, 124 when it ran past its time, 125 when Atelier could not run it (or lost
 * it: the server unreachable, the token refused, the container not running, a refusal, the container stopped under
 * it). Pure: unit-tested beside it.
 */
export const EXIT_TIMEOUT = 124;
export const EXIT_ATELIER = 125;
/** A usage error, as the other commands of the CLI. */
export const EXIT_USAGE = 2;

/** The server's last word on a session or a command (the WebSocket's `end` frame). */
export type TEndFrame = {
  type: "end";
  reason: string;
  exitCode?: number | null;
  signal?: number | string | null;
  by?: string | null;
  message?: string | null;
};

/** A signal's number, from its number or its name ("SIGKILL", "KILL"); null when unknown. */
export const signalNumber = (signal: number | string | null | undefined): number | null => {
  if (typeof signal === "number")
    return Number.isInteger(signal) && signal > 0 && signal < 128 ? signal : null;
  if (typeof signal !== "string" || signal === "") return null;
  if (/^\d+$/.test(signal)) return signalNumber(Number(signal));
  const upper = signal.toUpperCase();
  const name = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  const number = (constants.signals as Record<string, number | undefined>)[name];
  return number ?? null;
};

/**
 * The exit code for an end frame, and what to say on stderr (null: nothing, the command's own end). `what` names
 * the thing that ran, for the messages ("the command", "the shell").
 */
export const exitOfEnd = (
  end: TEndFrame,
  what: string,
  timeoutSeconds?: number,
): { code: number; message: string | null } => {
  switch (end.reason) {
    case "exited": {
      if (typeof end.exitCode === "number" && Number.isInteger(end.exitCode) && end.exitCode >= 0)
        return { code: end.exitCode & 0xff, message: null };
      const signal = signalNumber(end.signal);
      if (signal !== null) return { code: 128 + signal, message: null };
      return { code: EXIT_ATELIER, message: `${what} ended, and the server gave no exit status` };
    }
    case "timeout":
      return {
        code: EXIT_TIMEOUT,
        message: `${what} ran past its time${timeoutSeconds ? ` (${timeoutSeconds} s)` : ""} and was killed`,
      };
    case "stopped":
      return { code: EXIT_ATELIER, message: `the container stopped: ${what} ended with it` };
    case "closed":
      return { code: EXIT_ATELIER, message: `the session was closed${end.by ? ` by ${end.by}` : ""}` };
    case "idle":
      return { code: EXIT_ATELIER, message: "the session ended: nobody watched it for the keep time" };
    case "failed":
      return { code: EXIT_ATELIER, message: `${what} could not start: ${end.message ?? "no reason given"}` };
    default:
      return { code: EXIT_ATELIER, message: `${what} ended (${end.reason})` };
  }
};

/**
 * The exit codes of the commands that manage containers through the API (ls, info, start, stop, create, destroy,
 * snapshot, autostart, login…), for scripts: docs/usage.md lists them.
 */
export const EXIT_OK = 0;
/** The operation failed (the server could not do it, a job failed, the server was unreachable). */
export const EXIT_FAILED = 1;
/** No such container, snapshot, type or job. */
export const EXIT_NOT_FOUND = 3;
/** Not signed in, the token refused, or the role too low. */
export const EXIT_DENIED = 4;
/** The state forbids it now: already running, still running, busy with another operation, the name taken. */
export const EXIT_CONFLICT = 5;

/** The exit code for the server's tRPC error code (what RemoteError carries). Pure: unit-tested. */
export const exitOfErrorCode = (code: string | undefined): number => {
  switch (code) {
    case "BAD_REQUEST":
    case "PARSE_ERROR":
      return EXIT_USAGE;
    case "NOT_FOUND":
      return EXIT_NOT_FOUND;
    case "UNAUTHORIZED":
    case "FORBIDDEN":
      return EXIT_DENIED;
    case "CONFLICT":
    case "PRECONDITION_FAILED":
      return EXIT_CONFLICT;
    default:
      return EXIT_FAILED;
  }
};
