import { AppError, said } from "../../errors";
import { createLxcDriver } from "../../lxc";
import type { TLogger } from "../../log";
import { checkTicket, requireTicket } from "../admins";
import type { THandlers } from "../contract/define";
import type { consoleContract } from "../contract/console";
import { pipeCommand, spawnPty } from "../run/interactive";
import { isRunError, run } from "../run/runner";
import { initReachesHostRoot, parseGuestPasswd, type TGuestUser } from "../guest-users";

/** The PATH a shell or command starts with inside the container (Debian's for root). */
export const GUEST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const MAX_PASSWD_BYTES = 1024 * 1024;

/**
 * Shells, consoles and commands in running containers (the contract: ../contract/console.ts). `lxc-attach` and
 * `lxc-console` run on the host as root and enter the container's namespaces; nothing of the container runs on the
 * host. `--clear-env` keeps the helper's environment out; the variables the guest gets are set one by one.
 */
export const consoleOperations = ({
  lxcPath,
  containerConfig,
  stateDir,
  log,
}: {
  lxcPath: string;
  containerConfig?: string;
  stateDir: string;
  log?: TLogger;
}) => {
  const lxc = createLxcDriver({ lxcPath, ...(containerConfig ? { containerConfig } : {}) });

  /** Running or not, and for a running one, whether its init's maps reach host id 0 (the kernel's own answer). */
  const inspect = async (name: string) => {
    const info = await lxc.info(name);
    if (info.state !== "RUNNING" || info.pid === null)
      return { state: info.state, isPrivileged: null, pid: null };
    return { state: info.state, isPrivileged: await initReachesHostRoot(info.pid), pid: info.pid };
  };

  /**
   * A running container, and an admin's ticket when it is privileged: judged when the call comes, and again (the
   * answer) right before the program starts, after the guest's /etc/passwd was read: a container stopped and
   * started again meanwhile, privileged this time, is judged as it is then.
   */
  const allow = async (name: string, ticket: string | undefined) => {
    const judge = async () => {
      const { state, isPrivileged } = await inspect(name);
      if (state !== "RUNNING")
        throw new AppError("PRECONDITION_FAILED", said("consoleNeedsRunning", { name, state }));
      if (isPrivileged) await requireTicket(stateDir, ticket, { action: "privilegedShell", name });
      return { isPrivileged: isPrivileged !== false };
    };
    await judge();
    return judge;
  };

  /** The guest's own account of `user`, read inside the container (its /etc/passwd, through its own `cat`). */
  const guestUser = async (name: string, user: string, signal?: AbortSignal): Promise<TGuestUser> => {
    let text: string;
    try {
      const result = await run(
        "lxc-attach",
        ["-n", name, "-P", lxcPath, "--clear-env", "-v", `PATH=${GUEST_PATH}`, "--", "cat", "/etc/passwd"],
        { timeoutMs: 15_000, maxOutputBytes: MAX_PASSWD_BYTES, ...(signal ? { signal } : {}), log },
      );
      if (result.exitCode !== 0)
        throw new AppError(
          "PRECONDITION_FAILED",
          said("guestPasswdUnreadable", {
            name,
            reason: result.stderr.trim().slice(-300) || `exit ${result.exitCode}`,
          }),
        );
      text = result.stdout;
    } catch (error) {
      if (isRunError(error))
        throw new AppError(
          "PRECONDITION_FAILED",
          said("guestPasswdUnreadable", { name, reason: error.message }),
        );
      throw error;
    }
    const found = parseGuestPasswd(text).get(user);
    if (!found)
      throw new AppError("BAD_REQUEST", { ...said("guestUserUnknown", { name, user }), field: "user" });
    return found;
  };

  /** lxc-attach's arguments up to `--`: the container, a clean environment, the user's ids and variables. */
  const attachArgs = (name: string, who: TGuestUser, extra: Record<string, string>) => [
    "-n",
    name,
    "-P",
    lxcPath,
    "--clear-env",
    "-u",
    String(who.uid),
    "-g",
    String(who.gid),
    ...Object.entries({
      PATH: GUEST_PATH,
      HOME: who.home,
      USER: who.name,
      LOGNAME: who.name,
      LANG: "C.UTF-8",
      ...extra,
    }).flatMap(([key, value]) => ["-v", `${key}=${value}`]),
  ];

  return {
    inspect: async ({ name, ticket }) => {
      const { state, isPrivileged } = await inspect(name);
      return {
        isRunning: state === "RUNNING",
        isPrivileged,
        isTicketValid: isPrivileged
          ? ticket !== undefined && (await checkTicket(stateDir, ticket)).admin !== null
          : null,
      };
    },

    terminal: async ({ name, kind, user, shell, cols, rows, ticket }, { signal, emit, upstream }) => {
      const stillAllowed = await allow(name, ticket);
      let program: "lxc-attach" | "lxc-console";
      let args: string[];
      let isRootLogin = true;
      if (kind === "console") {
        program = "lxc-console";
        args = ["-n", name, "-P", lxcPath, "-t", "0"];
      } else {
        // A privileged container's shell is root's own login shell, whatever the call asks: the setting behind
        // `user` and `shell` may be an operator's, and would choose what runs as host root.
        const { isPrivileged } = await stillAllowed();
        const who = await guestUser(name, isPrivileged ? "root" : user, signal);
        const loginShell = shell === "auto" || isPrivileged ? who.shell : shell;
        isRootLogin = who.uid === 0 && loginShell === who.shell;
        program = "lxc-attach";
        args = [
          ...attachArgs(name, who, { TERM: "xterm-256color", SHELL: loginShell }),
          "--",
          loginShell,
          "-l",
        ];
      }
      if (signal.aborted) return { exitCode: null, signal: null };
      // Judged again right before the program starts; a shell that has turned privileged since is started again
      // as root's login shell.
      if ((await stillAllowed()).isPrivileged && !isRootLogin)
        throw new AppError("CONFLICT", said("consoleContainerChanged", { name }));
      const terminal = spawnPty(program, args, {
        cols,
        rows,
        onData: (chunk) => emit(chunk),
        ...(log ? { log } : {}),
      });
      const stop = () => void terminal.stop();
      signal.addEventListener("abort", stop, { once: true });
      const iterator = upstream[Symbol.asyncIterator]();
      const ended = terminal.exited.then(() => ({ done: true as const, value: undefined }));
      // Keystrokes and resizes until the program ends (or the call does: the upstream then ends).
      const pumping = (async () => {
        for (;;) {
          const next = await Promise.race([iterator.next(), ended]);
          if (next.done) return;
          if (next.value.type === "data") terminal.write(next.value.bytes);
          else terminal.resize(next.value.cols, next.value.rows);
        }
      })();
      const end = await terminal.exited;
      signal.removeEventListener("abort", stop);
      await pumping;
      return end;
    },

    exec: async ({ name, argv, user, stdin, timeoutSeconds, ticket }, { signal, emit, upstream }) => {
      const stillAllowed = await allow(name, ticket);
      const who = await guestUser(name, user, signal);
      await stillAllowed();
      return pipeCommand("lxc-attach", [...attachArgs(name, who, {}), "--", ...argv], {
        timeoutMs: timeoutSeconds * 1000,
        signal,
        stdin: stdin ? upstream : null,
        onChunk: (stream, bytes) => emit({ stream, bytes }),
        ...(log ? { log } : {}),
      });
    },
  } satisfies THandlers<typeof consoleContract>;
};
