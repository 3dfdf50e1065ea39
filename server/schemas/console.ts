import { z } from "zod";
import { ZContainerName } from "./container-name";
import { says } from "./issue-words";

/**
 * Shells, consoles and commands inside containers: what the pages, the API, the command line and the helper agree
 * on. Pure (the browser's forms use it too).
 */

/** The terminal kinds: a shell (`lxc-attach` in a pty) or the container's own console (`lxc-console -t 0`). */
export const ZTerminalKind = z.enum(["shell", "console"]);
export type TTerminalKind = z.infer<typeof ZTerminalKind>;

/** A terminal's size in characters, as xterm.js and TIOCSWINSZ take it. */
export const ZTerminalSize = z
  .object({
    // A 4K screen in a small font; each session's kept screen is cols × (rows + scrollback) cells.
    cols: z.number().int().min(2).max(500),
    rows: z.number().int().min(1).max(200),
  })
  .strict();
export type TTerminalSize = z.infer<typeof ZTerminalSize>;

/**
 * A user of the guest, by name, as useradd takes it (the helper looks it up in the container's own /etc/passwd).
 * "root" by default.
 */
export const ZGuestUser = z
  .string()
  .min(1, says("validation.console.user"))
  .max(32, says("validation.text.atMost", { max: 32 }))
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/, says("validation.console.user"));

/**
 * The shell a terminal starts: "auto" (the user's login shell from the guest's /etc/passwd, /bin/sh when it names
 * none) or an absolute path inside the container.
 */
export const ZShellSetting = z.union([
  z.literal("auto"),
  z
    .string()
    .max(255, says("validation.text.atMost", { max: 255 }))
    .regex(/^\/[A-Za-z0-9_.+/-]*$/, says("validation.console.shell"))
    .refine((value) => !value.split("/").includes(".."), says("validation.console.shell")),
]);

/** Per container: who the Shell tab logs in as and with what. */
export const ZConsoleSettings = z.object({ user: ZGuestUser, shell: ZShellSetting }).strict();
export type TConsoleSettings = z.infer<typeof ZConsoleSettings>;
export const DEFAULT_CONSOLE_SETTINGS: TConsoleSettings = { user: "root", shell: "auto" };

/** A command's arguments: at most 1024 of them, 128 KiB in all, no NUL byte (exec's argv cannot carry one). */
export const MAX_EXEC_ARGS = 1024;
export const MAX_EXEC_ARGV_BYTES = 128 * 1024;
export const ZExecArgv = z
  .array(
    z
      .string()
      .max(MAX_EXEC_ARGV_BYTES)
      .refine((arg) => !arg.includes("\0"), says("validation.console.nul")),
  )
  .min(1, says("validation.console.argv"))
  .max(MAX_EXEC_ARGS, says("validation.console.argvMany", { max: MAX_EXEC_ARGS }))
  .refine(
    (argv) => argv.reduce((total, arg) => total + arg.length + 1, 0) <= MAX_EXEC_ARGV_BYTES,
    says("validation.console.argvLong", { max: MAX_EXEC_ARGV_BYTES / 1024 }),
  )
  .refine((argv) => (argv[0] ?? "").length > 0, says("validation.console.argv"));

/** How long a command may run: a minute by default, at most six hours. */
export const MAX_EXEC_SECONDS = 6 * 60 * 60;
export const DEFAULT_EXEC_SECONDS = 60;
export const ZExecTimeout = z.number().int().min(1).max(MAX_EXEC_SECONDS);

/** What containers.exec takes; its output is bounded by MAX_EXEC_OUTPUT_BYTES each (the rest is said cut). */
export const MAX_EXEC_STDIN_BYTES = 1024 * 1024;
export const MAX_EXEC_OUTPUT_BYTES = 1024 * 1024;
export const ZExecInput = z
  .object({
    name: ZContainerName,
    argv: ZExecArgv,
    stdin: z.string().max(MAX_EXEC_STDIN_BYTES).optional(),
    timeoutSeconds: ZExecTimeout.optional(),
    user: ZGuestUser.optional(),
  })
  .strict();
export type TExecInput = z.input<typeof ZExecInput>;

/** An id of a terminal session (random, URL-safe). */
export const ZSessionId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);
