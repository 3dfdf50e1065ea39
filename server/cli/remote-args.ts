import { ZContainerName } from "../schemas/container-name";

/**
 * The arguments of `atelier exec` and `atelier attach`, the commands that go through the API (server/cli/exec.ts,
 * server/cli/attach.ts). Pure: unit-tested beside it. A wrong argument is a RemoteUsageError (exit 2 with the usage,
 * as for the other commands); the server checks everything again.
 */
export class RemoteUsageError extends Error {}

/** The longest a command may run (containers.exec's and console.openExec's limit, six hours). */
export const MAX_TIMEOUT_SECONDS = 6 * 60 * 60;

export type TExecArgs = { name: string; argv: string[]; user?: string; timeoutSeconds?: number };
export type TAttachArgs = { name: string; kind: "shell" | "console"; session?: string };

const nameOf = (value: string | undefined) => {
  if (value === undefined) throw new RemoteUsageError("NAME: the container's name is missing");
  const parsed = ZContainerName.safeParse(value);
  if (!parsed.success) throw new RemoteUsageError(`NAME: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
};

/** `--opt value` or `--opt=value`: the value, and how many arguments it took. */
const valueOf = (args: string[], index: number, option: string): [string, number] => {
  const arg = args[index] ?? "";
  if (arg.startsWith(`${option}=`)) return [arg.slice(option.length + 1), 1];
  const value = args[index + 1];
  if (value === undefined) throw new RemoteUsageError(`${option} needs a value`);
  return [value, 2];
};

/**
 * `exec NAME [--user U] [--timeout SECONDS] -- CMD [ARG…]` (the words after `exec`). Options come before the
 * command; everything after `--` is the command, untouched (its own options too). Without `--`, the first word that
 * is not an option starts the command.
 */
export const parseExecArgs = (args: string[]): TExecArgs => {
  let name: string | undefined;
  let user: string | undefined;
  let timeoutSeconds: number | undefined;
  let index = 0;
  while (index < args.length) {
    const arg = args[index] ?? "";
    if (arg === "--") {
      index += 1;
      break;
    }
    if (arg === "--user" || arg.startsWith("--user=") || arg === "-u") {
      const [value, used] = valueOf(args, index, arg === "-u" ? "-u" : "--user");
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(value) || value.length > 32)
        throw new RemoteUsageError(`--user: ${JSON.stringify(value)} is not a user name`);
      user = value;
      index += used;
    } else if (arg === "--timeout" || arg.startsWith("--timeout=")) {
      const [value, used] = valueOf(args, index, "--timeout");
      const seconds = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!(seconds >= 1 && seconds <= MAX_TIMEOUT_SECONDS))
        throw new RemoteUsageError(
          `--timeout: a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS} (got ${JSON.stringify(value)})`,
        );
      timeoutSeconds = seconds;
      index += used;
    } else if (arg.startsWith("-") && arg !== "-") {
      throw new RemoteUsageError(`unknown option ${arg} (the command goes after --)`);
    } else if (name === undefined) {
      name = nameOf(arg);
      index += 1;
    } else break;
  }
  const argv = args.slice(index);
  if (name === undefined) nameOf(undefined);
  if (argv.length === 0 || argv[0] === "")
    throw new RemoteUsageError("the command is missing: atelier exec NAME -- CMD [ARG…]");
  return {
    name: name as string,
    argv,
    ...(user === undefined ? {} : { user }),
    ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
  };
};

/** `attach NAME [--console] [--session ID|new]` (the words after `attach`). */
export const parseAttachArgs = (args: string[]): TAttachArgs => {
  let name: string | undefined;
  let kind: TAttachArgs["kind"] = "shell";
  let session: string | undefined;
  for (let index = 0; index < args.length;) {
    const arg = args[index] ?? "";
    if (arg === "--console") {
      kind = "console";
      index += 1;
    } else if (arg === "--session" || arg.startsWith("--session=")) {
      const [value, used] = valueOf(args, index, "--session");
      if (value !== "new" && !/^[A-Za-z0-9_-]{16,64}$/.test(value))
        throw new RemoteUsageError(`--session: a session's id or "new" (got ${JSON.stringify(value)})`);
      session = value;
      index += used;
    } else if (arg.startsWith("-")) {
      throw new RemoteUsageError(`unknown option ${arg}`);
    } else if (name === undefined) {
      name = nameOf(arg);
      index += 1;
    } else throw new RemoteUsageError(`unexpected argument ${JSON.stringify(arg)}`);
  }
  if (kind === "console" && session === "new")
    throw new RemoteUsageError("--session new: a container has one console, shared (no new one)");
  return { name: nameOf(name), kind, ...(session === undefined ? {} : { session }) };
};
