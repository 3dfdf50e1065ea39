import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline/promises";
import { isValidContainerName } from "../schemas/container-name";
import type { TContainerSummary } from "../trpc/routers/containers/schemas";
import type { TGetContainerResponse } from "../trpc/routers/containers/get-container.types";
import {
  API_COMMANDS,
  CliUsageError,
  expectPositionals,
  intOf,
  listOf,
  nameArg,
  stringOf,
  type TParsed,
  type TValues,
} from "./api-args";
import { waitForJob } from "./jobs";
import { formatBytes, formatFields, formatJson, formatTable, listCell } from "./output";
import { callProcedure, type TEndpoint } from "./remote";

/**
 * `atelier ls`, `info`, `start`, `stop`, `restart`, `freeze`, `unfreeze`, `create`, `destroy`: the panel's
 * containers procedures (server/trpc/routers/containers/) through the API, as whoever the endpoint says.
 */
const out = (text: string) => process.stdout.write(text);

/** The rows of `atelier ls`. Pure: unit-tested. */
export const containerRows = (list: TContainerSummary[]) =>
  list.map((container) => [
    container.name,
    container.busy ? `${container.state} (${container.busy})` : container.state,
    container.autostart ? "yes" : "no",
    listCell(container.groups),
    listCell(container.ipv4),
    listCell(container.ipv6),
    container.unprivileged ? "yes" : "no",
  ]);
export const CONTAINER_HEADERS = ["NAME", "STATE", "AUTOSTART", "GROUPS", "IPV4", "IPV6", "UNPRIVILEGED"];

/** The fields of `atelier info`. Pure: unit-tested. */
export const containerFields = (container: TGetContainerResponse): [string, string][] => [
  ["name", container.name],
  ["state", container.state],
  ["busy", container.busy ?? "-"],
  ["pid", container.pid === null ? "-" : String(container.pid)],
  ["ipv4", listCell(container.ipv4)],
  ["ipv6", listCell(container.ipv6)],
  ["autostart", container.autostart ? "yes" : "no"],
  ["groups", listCell(container.groups)],
  ["unprivileged", container.unprivileged ? "yes" : "no"],
  ["memory", formatBytes(container.memoryUseBytes)],
  ["config", container.configPath],
  ["lxcpath", container.lxcPath],
];

/**
 * `ls --names`: one name a line, for scripts and the bash completion, which feed them to a shell. A name that is not
 * a container's (the server is not what it should be) is left out and said on stderr. Pure: unit-tested.
 */
export const namesOf = (
  list: TContainerSummary[],
  warn: (text: string) => unknown = (text) => process.stderr.write(text),
) => {
  const odd = list.filter((container) => !isValidContainerName(container.name));
  if (odd.length > 0)
    warn(`atelier ls: the server listed ${odd.length} name(s) that are not container names: left out\n`);
  return list
    .filter((container) => isValidContainerName(container.name))
    .map((container) => `${container.name}\n`)
    .join("");
};

export const runLs = async (endpoint: TEndpoint, parsed: TParsed) => {
  expectPositionals(parsed, 0, 0, API_COMMANDS.ls.usage);
  const list = await callProcedure<TContainerSummary[]>(endpoint, "containers.list");
  if (parsed.values.names) out(namesOf(list));
  else if (parsed.values.json) out(formatJson(list));
  else out(formatTable(CONTAINER_HEADERS, containerRows(list)));
};

export const runInfo = async (endpoint: TEndpoint, parsed: TParsed) => {
  expectPositionals(parsed, 1, 1, API_COMMANDS.info.usage);
  const name = nameArg(parsed.positionals[0]);
  const container = await callProcedure<TGetContainerResponse>(endpoint, "containers.get", { name });
  out(parsed.values.json ? formatJson(container) : formatFields(containerFields(container)));
};

const LIFECYCLE = {
  start: { procedure: "containers.start", done: "started" },
  stop: { procedure: "containers.stop", done: "stopped" },
  restart: { procedure: "containers.restart", done: "restarted" },
  freeze: { procedure: "containers.freeze", done: "frozen" },
  unfreeze: { procedure: "containers.unfreeze", done: "unfrozen" },
} as const;

/** The input of a lifecycle procedure. Pure: unit-tested. */
export const lifecycleInput = (command: keyof typeof LIFECYCLE, parsed: TParsed) => {
  expectPositionals(parsed, 1, 1, API_COMMANDS[command].usage);
  const name = nameArg(parsed.positionals[0]);
  if (command !== "stop" && command !== "restart") return { name };
  const timeoutSeconds = intOf(parsed.values, "timeout", 1, 600);
  if (command === "stop" && parsed.values.kill && timeoutSeconds !== undefined)
    throw new CliUsageError("--kill kills at once: it takes no --timeout");
  return {
    name,
    ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
    ...(command === "stop" && parsed.values.kill ? { force: true } : {}),
  };
};

export const runLifecycle = async (endpoint: TEndpoint, command: keyof typeof LIFECYCLE, parsed: TParsed) => {
  const input = lifecycleInput(command, parsed);
  await callProcedure(endpoint, LIFECYCLE[command].procedure, input);
  out(`${input.name} ${LIFECYCLE[command].done}\n`);
};

const TEMPLATE_ONLY = ["release", "arch", "mirror", "package"];

/**
 * `create NAME …`: the procedure and its input: types.createFrom for --type, else containers.create with the
 * wizard's fields (the server validates them again, and says which field is wrong). Pure but for --ssh-key's file:
 * unit-tested.
 */
export const createRequest = async (
  parsed: TParsed,
  readKey: (file: string) => Promise<string> = (file) => readFile(file, "utf8"),
): Promise<{ procedure: string; input: Record<string, unknown> }> => {
  const { values } = parsed;
  expectPositionals(parsed, 1, 1, API_COMMANDS.create.usage);
  const name = nameArg(parsed.positionals[0]);
  const type = stringOf(values, "type");
  const template = stringOf(values, "template");
  const clone = stringOf(values, "clone");
  const sources = [type, template, clone].filter((value) => value !== undefined);
  if (sources.length !== 1)
    throw new CliUsageError(
      "say what to make it from: one of --type T, --template busybox|debian, --clone SRC",
    );
  if (type !== undefined) {
    const others = Object.keys(values).filter(
      (key) => key !== "type" && key !== "no-wait" && values[key] !== undefined,
    );
    if (others.length > 0)
      throw new CliUsageError(
        `--type: the type holds the whole form (no --${others[0]}); edit the type instead`,
      );
    return { procedure: "types.createFrom", input: { type, name } };
  }
  if (template !== undefined && template !== "busybox" && template !== "debian")
    throw new CliUsageError(`--template: busybox or debian (got ${JSON.stringify(template)})`);
  if (template !== "debian") {
    const stray = TEMPLATE_ONLY.find((key) => values[key] !== undefined);
    if (stray) throw new CliUsageError(`--${stray} is for --template debian`);
  }
  if (clone === undefined && values.snapshot) throw new CliUsageError("--snapshot is for --clone");
  const rootfs =
    clone !== undefined
      ? { kind: "clone", source: nameArg(clone, "--clone"), snapshot: values.snapshot === true }
      : template === "debian"
        ? {
            kind: "debian",
            ...pick(values, { release: "release", arch: "arch", mirror: "mirror" }),
            ...(listOf(values, "package") ? { packages: listOf(values, "package") } : {}),
          }
        : { kind: "busybox" };
  const bridge = stringOf(values, "bridge");
  const ip = stringOf(values, "ip");
  const gateway = stringOf(values, "gateway");
  if ((ip !== undefined || gateway !== undefined) && bridge === undefined)
    throw new CliUsageError("--ip and --gateway need --bridge");
  if (gateway !== undefined && ip === undefined) throw new CliUsageError("--gateway needs --ip");
  const network =
    bridge === undefined
      ? undefined
      : {
          bridge,
          mode: ip === undefined ? "dhcp" : "static",
          ...(ip ? { ipv4: ip } : {}),
          ...(gateway ? { gateway } : {}),
        };
  const limits = {
    ...defined("memoryMiB", intOf(values, "memory", 16, 1_048_576)),
    ...defined("cpuShares", intOf(values, "cpu-shares", 2, 262_144)),
    ...defined("cpuset", stringOf(values, "cpus")),
    ...defined("pids", intOf(values, "pids", 10, 4_194_304)),
  };
  const order = intOf(values, "order", -1000, 1000);
  const delay = intOf(values, "delay", 0, 3600);
  const groups = listOf(values, "group");
  if (!values.autostart && (order !== undefined || delay !== undefined || groups))
    throw new CliUsageError("--order, --delay and --group go with --autostart");
  const autostart = values.autostart
    ? { enabled: true, ...defined("order", order), ...defined("delay", delay), groups: groups ?? [] }
    : undefined;
  const keyFile = stringOf(values, "ssh-key");
  const sshKey = keyFile === undefined ? undefined : (await readKey(keyFile)).trim();
  return {
    procedure: "containers.create",
    input: {
      name,
      rootfs,
      ...(network ? { network } : {}),
      ...(Object.keys(limits).length > 0 ? { limits } : {}),
      ...(autostart ? { autostart } : {}),
      ...(sshKey ? { access: { sshKey } } : {}),
      ...(values.privileged ? { privileged: true } : {}),
    },
  };
};

const defined = <T>(key: string, value: T | undefined) => (value === undefined ? {} : { [key]: value });
const pick = (values: TValues, keys: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(keys)
      .map(([option, field]) => [field, stringOf(values, option)] as const)
      .filter(([, value]) => value !== undefined),
  );

export const runCreate = async (endpoint: TEndpoint, parsed: TParsed) => {
  const { procedure, input } = await createRequest(parsed, (file) =>
    readFile(file, "utf8").catch((error: Error) => {
      throw new CliUsageError(`--ssh-key: cannot read ${file} (${error.message})`);
    }),
  );
  const { name, jobId } = await callProcedure<{ name: string; jobId: string }>(endpoint, procedure, input);
  if (parsed.values["no-wait"]) {
    out(`${jobId}\n`);
    process.stderr.write(`creating ${name}: job ${jobId} (the Jobs page follows it)\n`);
    return;
  }
  await waitForJob(endpoint, jobId, `creating ${name}`);
  out(`${name} created\n`);
};

export const runDestroy = async (endpoint: TEndpoint, parsed: TParsed) => {
  expectPositionals(parsed, 1, 1, API_COMMANDS.destroy.usage);
  const name = nameArg(parsed.positionals[0]);
  if (!parsed.values.yes) {
    if (!process.stdin.isTTY || !process.stderr.isTTY)
      throw new CliUsageError(`not a terminal to ask in: add --yes to destroy ${name}`);
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await prompt
      .question(`Destroy ${name}, its root filesystem and its snapshots? Type its name to confirm: `)
      .finally(() => prompt.close());
    if (answer.trim() !== name) {
      process.stderr.write(`atelier destroy: not confirmed; ${name} is left as it was\n`);
      process.exitCode = 1;
      return;
    }
  }
  await callProcedure(endpoint, "containers.destroy", {
    name,
    ...(parsed.values.force ? { force: true } : {}),
  });
  out(`${name} destroyed\n`);
};
