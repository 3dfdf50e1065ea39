import { SettingsError } from "../env";
import {
  API_COMMANDS,
  CliUsageError,
  parseCommandArgs,
  type TApiCommandName,
  type TParsed,
} from "./api-args";
import { runAutostart } from "./autostart";
import { bashCompletion } from "./completion";
import { runCreate, runDestroy, runInfo, runLifecycle, runLs } from "./containers";
import { resolveApiEndpoint } from "./endpoint";
import { EXIT_DENIED, EXIT_FAILED, EXIT_OK, EXIT_USAGE, exitOfErrorCode } from "./exit-codes";
import { runLogin, runLogout } from "./login";
import { printable } from "./output";
import { RemoteError, type TEndpoint } from "./remote";
import { runSnapshot } from "./snapshot";

/**
 * The commands that manage containers through the panel's API, as whoever runs them: with the stored login
 * (`atelier login`), ATELIER_URL and ATELIER_TOKEN, or, root on the host, the web tier's local socket
 * (server/cli/endpoint.ts). Errors are one line on stderr; the exit code says what kind (exit-codes.ts, listed in
 * docs/usage.md). Resolves to the exit code.
 */
export const API_USAGE = Object.values(API_COMMANDS)
  .map((spec) => `  atelier ${spec.usage}`)
  .join("\n");

const USAGE_FOOTER = `Reads (ls, info, snapshot NAME list, autostart [NAME]) print JSON with --json. The panel: the stored login
(atelier login URL), or ATELIER_URL and ATELIER_TOKEN; root on the host without either uses the local socket.
Exit codes: 0 done, 1 failed, 2 usage, 3 not found, 4 not allowed or not signed in, 5 the state forbids it now
(already running, busy, name taken). See docs/usage.md.`;

type THandler = (endpoint: () => Promise<TEndpoint>, parsed: TParsed) => Promise<void>;

const HANDLERS: Record<TApiCommandName, THandler> = {
  ls: async (endpoint, parsed) => runLs(await endpoint(), parsed),
  info: async (endpoint, parsed) => runInfo(await endpoint(), parsed),
  start: async (endpoint, parsed) => runLifecycle(await endpoint(), "start", parsed),
  stop: async (endpoint, parsed) => runLifecycle(await endpoint(), "stop", parsed),
  restart: async (endpoint, parsed) => runLifecycle(await endpoint(), "restart", parsed),
  freeze: async (endpoint, parsed) => runLifecycle(await endpoint(), "freeze", parsed),
  unfreeze: async (endpoint, parsed) => runLifecycle(await endpoint(), "unfreeze", parsed),
  create: async (endpoint, parsed) => runCreate(await endpoint(), parsed),
  destroy: async (endpoint, parsed) => runDestroy(await endpoint(), parsed),
  snapshot: async (endpoint, parsed) => runSnapshot(await endpoint(), parsed),
  autostart: async (endpoint, parsed) => runAutostart(await endpoint(), parsed),
  login: (_endpoint, parsed) => runLogin(parsed),
  logout: (_endpoint, parsed) => runLogout(parsed),
  completion: (_endpoint, parsed) => {
    if (parsed.positionals.length !== 1 || parsed.positionals[0] !== "bash")
      return Promise.reject(new CliUsageError("only bash: atelier completion bash"));
    process.stdout.write(bashCompletion(["boot", "service"]));
    return Promise.resolve();
  },
};

/** What to add to a refusal's sentence so that it says what to do. Pure: unit-tested. */
export const adviceFor = (code: number, message: string) => {
  if (code === EXIT_DENIED && /\(401\)/.test(message) && !/atelier login/.test(message))
    return "; run atelier login URL again, or set ATELIER_TOKEN";
  return "";
};

export const runApiCommand = async (command: TApiCommandName, args: string[]): Promise<number> => {
  const spec = API_COMMANDS[command];
  try {
    const parsed = parseCommandArgs(command, args);
    if (parsed.values.help) {
      process.stdout.write(`usage: atelier ${spec.usage}\n${USAGE_FOOTER}\n`);
      return EXIT_OK;
    }
    await HANDLERS[command](() => resolveApiEndpoint(process.env), parsed);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT_OK;
  } catch (error) {
    const say = (message: string) =>
      process.stderr.write(`atelier ${command}: ${printable(message.replace(/\s*\n\s*/g, " ").trim())}\n`);
    if (error instanceof CliUsageError) {
      say(error.message);
      process.stderr.write(`usage: atelier ${spec.usage}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof RemoteError) {
      const code = exitOfErrorCode(error.code);
      say(`${error.message}${adviceFor(code, error.message)}`);
      return code;
    }
    if (error instanceof SettingsError) {
      say(error.message);
      return EXIT_FAILED;
    }
    say(error instanceof Error ? error.message : String(error));
    return EXIT_FAILED;
  }
};
