import { SettingsError } from "../env";
import { runAttach } from "./attach";
import { KEYS_HELP } from "./escape-keys";
import { runExec } from "./exec";
import { EXIT_ATELIER, EXIT_USAGE } from "./exit-codes";
import { resolveApiEndpoint } from "./endpoint";
import { RemoteError } from "./remote";
import { parseAttachArgs, parseExecArgs, RemoteUsageError } from "./remote-args";

/**
 * The commands of the CLI that go through the panel's API instead of the database: `exec` and `attach`. They run
 * as whoever calls them (root is not needed, nor dropped), with a token. Resolves to the process's exit code.
 */
export const REMOTE_USAGE = `usage:
  atelier exec NAME [--user U] [--timeout SECONDS] -- CMD [ARG…]
      runs CMD in the running container NAME; its stdout and stderr come out here as it writes them; this
      command's stdin goes to it (none when stdin is a terminal: use </dev/null, or a pipe). --user: a user of
      the container (default root); --timeout: seconds before it is killed (default 60, at most 21600).
      Exits with CMD's exit code, 128+N when signal N ended it, 124 when it ran past its time, 125 when
      Atelier could not run it (the message says why).
  atelier attach NAME [--console] [--session ID|new]
      a shell of the container in this terminal (your latest one on it, or a new one with --session new, or
      session ID), or its console with --console. ${KEYS_HELP}.
      A session someone else types in is watched read-only until you take over. Exits with the shell's exit
      code, 0 on a detach, 125 when the session ended otherwise (closed, the container stopped) or Atelier
      failed.
Both reach the panel at ATELIER_URL (default: this host's, from its PORT and HOST settings) as the API token in
ATELIER_TOKEN (\`npx atelier token create USER\`, or the Account page); over HTTPS they trust ATELIER_CA (a PEM
file) when set, else root on the host trusts the data directory's certificate. See docs/console.md.`;

const wantsHelp = (args: string[]) => {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === "-h" || arg === "--help");
};

export const runRemoteCommand = async (command: "exec" | "attach", args: string[]): Promise<number> => {
  if (wantsHelp(args)) {
    process.stdout.write(`${REMOTE_USAGE}\n`);
    return 0;
  }
  try {
    if (command === "exec") {
      const parsed = parseExecArgs(args);
      return await runExec(await resolveApiEndpoint(process.env), parsed);
    }
    const parsed = parseAttachArgs(args);
    return await runAttach(await resolveApiEndpoint(process.env), parsed);
  } catch (error) {
    if (error instanceof RemoteUsageError) {
      process.stderr.write(`atelier ${command}: ${error.message}\n${REMOTE_USAGE}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof RemoteError || error instanceof SettingsError) {
      process.stderr.write(`atelier ${command}: ${error.message}\n`);
      return EXIT_ATELIER;
    }
    process.stderr.write(
      `atelier ${command}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT_ATELIER;
  }
};
