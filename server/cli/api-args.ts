import { parseArgs } from "node:util";
import { ZContainerName } from "../schemas/container-name";

/**
 * The commands that manage containers through the API (server/cli/api-main.ts): their options, one table that the
 * argument parser and the bash completion (server/cli/completion.ts) both read. Pure: unit-tested beside it.
 */
export class CliUsageError extends Error {}

type TOption = { type: "string" | "boolean"; multiple?: boolean; short?: string };
const flag: TOption = { type: "boolean" };
const text: TOption = { type: "string" };
const JSON_FLAG = { json: flag };

export type TApiCommand = {
  usage: string;
  options: Record<string, TOption>;
  /** Its first argument is a container's name (the completion offers them). */
  takesName: boolean;
  /** Words the completion offers after the name (snapshot's actions, autostart's on|off). */
  words?: string[];
};

export const API_COMMANDS = {
  ls: { usage: "ls [--json | --names]", options: { ...JSON_FLAG, names: flag }, takesName: false },
  info: { usage: "info NAME [--json]", options: JSON_FLAG, takesName: true },
  start: { usage: "start NAME", options: {}, takesName: true },
  stop: {
    usage: "stop NAME [--timeout S] [--kill]",
    options: { timeout: text, kill: flag },
    takesName: true,
  },
  restart: { usage: "restart NAME [--timeout S]", options: { timeout: text }, takesName: true },
  freeze: { usage: "freeze NAME", options: {}, takesName: true },
  unfreeze: { usage: "unfreeze NAME", options: {}, takesName: true },
  create: {
    usage:
      "create NAME (--type T | --template busybox|debian [--release R] [--arch A] [--mirror URL] [--package P]… | --clone SRC [--snapshot]) [--bridge BR [--ip CIDR [--gateway IP]]] [--memory MIB] [--cpus LIST] [--cpu-shares N] [--pids N] [--autostart [--order N] [--delay S] [--group G]…] [--ssh-key FILE] [--privileged] [--no-wait]",
    options: {
      type: text,
      template: text,
      release: text,
      arch: text,
      mirror: text,
      package: { type: "string", multiple: true },
      clone: text,
      snapshot: flag,
      bridge: text,
      ip: text,
      gateway: text,
      memory: text,
      cpus: text,
      "cpu-shares": text,
      pids: text,
      autostart: flag,
      order: text,
      delay: text,
      group: { type: "string", multiple: true },
      "ssh-key": text,
      privileged: flag,
      "no-wait": flag,
    },
    takesName: false,
  },
  destroy: { usage: "destroy NAME [--yes] [--force]", options: { yes: flag, force: flag }, takesName: true },
  snapshot: {
    usage:
      "snapshot NAME [list [--json] | create [--comment C] | restore SNAP [--as NEWNAME] | delete SNAP] [--no-wait]",
    options: { ...JSON_FLAG, comment: text, as: text, "no-wait": flag },
    takesName: true,
    words: ["list", "create", "restore", "delete"],
  },
  autostart: {
    usage:
      "autostart [NAME [on|off] [--order N] [--delay S] [--group G]… [--no-group] [--after NAME (--port N | --ping) [--timeout S] | --no-after]] [--json]",
    options: {
      ...JSON_FLAG,
      order: text,
      delay: text,
      group: { type: "string", multiple: true },
      "no-group": flag,
      after: text,
      port: text,
      ping: flag,
      timeout: text,
      "no-after": flag,
    },
    takesName: true,
    words: ["on", "off"],
  },
  login: {
    usage:
      "login URL [--token T|- | --username U] [--fingerprint SHA256] [--yes]   (--token -: read it from stdin)",
    options: { token: text, username: text, fingerprint: text, yes: flag },
    takesName: false,
  },
  logout: { usage: "logout", options: {}, takesName: false },
  completion: { usage: "completion bash", options: {}, takesName: false, words: ["bash"] },
} satisfies Record<string, TApiCommand>;

export type TApiCommandName = keyof typeof API_COMMANDS;
export const isApiCommand = (word: string | undefined): word is TApiCommandName =>
  word !== undefined && Object.hasOwn(API_COMMANDS, word);

export type TValues = Record<string, string | boolean | string[] | undefined>;
export type TParsed = { positionals: string[]; values: TValues };

/** A command's words (after its name): options by its table, `--opt=value` or `--opt value`; --help anywhere. */
export const parseCommandArgs = (command: TApiCommandName, args: string[]): TParsed => {
  const spec: TApiCommand = API_COMMANDS[command];
  try {
    const { positionals, values } = parseArgs({
      args,
      options: { ...spec.options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    return { positionals, values };
  } catch (error) {
    // node's own sentence ("Unknown option '--x'…"), first line.
    throw new CliUsageError((error as Error).message.split(/\.( |$)/)[0] ?? "invalid arguments");
  }
};

export const nameArg = (value: string | undefined, what = "NAME") => {
  if (value === undefined) throw new CliUsageError(`${what}: the container's name is missing`);
  const parsed = ZContainerName.safeParse(value);
  if (!parsed.success) throw new CliUsageError(`${what}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
};

export const stringOf = (values: TValues, key: string): string | undefined => {
  const value = values[key];
  return typeof value === "string" ? value : undefined;
};
export const listOf = (values: TValues, key: string): string[] | undefined => {
  const value = values[key];
  return Array.isArray(value) ? value : undefined;
};

/** A whole number option within bounds, or undefined when absent. */
export const intOf = (values: TValues, key: string, min: number, max: number): number | undefined => {
  const value = stringOf(values, key);
  if (value === undefined) return undefined;
  const number = /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!(number >= min && number <= max))
    throw new CliUsageError(`--${key}: a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`);
  return number;
};

/** At most `max` positionals after the `min` required ones. */
export const expectPositionals = (parsed: TParsed, min: number, max: number, usage: string) => {
  if (parsed.positionals.length < min) throw new CliUsageError(`missing arguments: ${usage}`);
  if (parsed.positionals.length > max)
    throw new CliUsageError(`unexpected argument ${JSON.stringify(parsed.positionals[max])}: ${usage}`);
};
