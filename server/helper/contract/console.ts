import { z } from "zod";
import { ZContainerName } from "../../schemas/container-name";
import {
  MAX_EXEC_SECONDS,
  ZExecArgv,
  ZExecTimeout,
  ZGuestUser,
  ZShellSetting,
  ZTerminalKind,
  ZTerminalSize,
} from "../../schemas/console";
import { bytes, op } from "./define";
import { ZOptionalTicket } from "./ticket";

/**
 * Ways into a running container: a terminal (a shell by `lxc-attach --clear-env` in a pty the helper opens, or the
 * container's own console by `lxc-console -t 0`) and a command (`lxc-attach --clear-env -- ARGV`, no pty). The
 * helper runs them; the web tier keeps the sessions, their screens and their viewers (server/console/).
 *
 * A privileged container's terminal and commands need an admin's ticket: its root is the host's root, one kernel or
 * LXC flaw away. Whether it is privileged is the kernel's answer (the uid and gid maps of the running container's
 * init, /proc/PID/uid_map), not its config's, which may have changed since it started.
 */

/** What goes up into a terminal: keystrokes and pastes, and size changes. */
export const ZTerminalUp = z.discriminatedUnion("type", [
  z.object({ type: z.literal("data"), bytes: bytes() }).strict(),
  z
    .object({ type: z.literal("resize"), cols: ZTerminalSize.shape.cols, rows: ZTerminalSize.shape.rows })
    .strict(),
]);
export type TTerminalUp = z.output<typeof ZTerminalUp>;

/** How a terminal or a command ended. */
export const ZProcessEnd = z
  .object({
    /** The exit code, or null when a signal ended it. */
    exitCode: z.number().int().nullable(),
    signal: z.number().int().nullable(),
  })
  .strict();

/** Each item of a command: a chunk of its stdout or stderr. */
export const ZExecItem = z.object({ stream: z.enum(["stdout", "stderr"]), bytes: bytes() }).strict();
export type TExecItem = z.output<typeof ZExecItem>;

const MINUTE = 60 * 1000;

export const consoleContract = {
  inspect: op({
    input: z.object({ name: ZContainerName, ticket: ZOptionalTicket }).strict(),
    output: z
      .object({
        isRunning: z.boolean(),
        /** The running container's init maps host id 0 (null when it is not running). */
        isPrivileged: z.boolean().nullable(),
        /** For a privileged one: whether the ticket given is an admin's the helper knows (null otherwise). */
        isTicketValid: z.boolean().nullable(),
      })
      .strict(),
    timeoutMs: 10 * 1000,
    summary:
      "Whether a container runs, whether its running init is privileged (its uid or gid map reaches host id 0), and for a privileged one whether the ticket given is a known admin's",
  }),
  terminal: op({
    input: z
      .object({
        name: ZContainerName,
        kind: ZTerminalKind,
        /** For a shell: who and what (the container's Shell settings). */
        user: ZGuestUser.default("root"),
        shell: ZShellSetting.default("auto"),
        cols: ZTerminalSize.shape.cols,
        rows: ZTerminalSize.shape.rows,
        ticket: ZOptionalTicket,
      })
      .strict(),
    output: ZProcessEnd,
    item: bytes(),
    upstream: ZTerminalUp,
    ticket: "when",
    ticketWhen: "the running container is privileged (its init's uid or gid map reaches host id 0)",
    // A shell runs as long as its user keeps it: the web tier cancels it (closed, idle past its keep time).
    timeoutMs: null,
    summary:
      "A shell (lxc-attach --clear-env, login shell, PATH/TERM/HOME/LANG set) or the console (lxc-console -t 0) of a running container, in a pty: its output as bytes, keystrokes and resizes up",
  }),
  exec: op({
    input: z
      .object({
        name: ZContainerName,
        argv: ZExecArgv,
        user: ZGuestUser.default("root"),
        /** Whether stdin is sent up (else it is closed at once). */
        stdin: z.boolean().default(false),
        timeoutSeconds: ZExecTimeout,
        ticket: ZOptionalTicket,
      })
      .strict(),
    output: ZProcessEnd.extend({ timedOut: z.boolean(), durationMs: z.number().int() }).strict(),
    item: ZExecItem,
    upstream: bytes(),
    ticket: "when",
    ticketWhen: "the running container is privileged (its init's uid or gid map reaches host id 0)",
    timeoutMs: MAX_EXEC_SECONDS * 1000 + MINUTE,
    summary:
      "A command in a running container (lxc-attach --clear-env -- ARGV, as a guest user), its stdout and stderr as chunks, stdin up, ended at its timeout",
  }),
};
