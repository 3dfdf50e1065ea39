import {
  API_COMMANDS,
  CliUsageError,
  expectPositionals,
  intOf,
  listOf,
  nameArg,
  stringOf,
  type TParsed,
} from "./api-args";
import { DEPENDENCY_TIMEOUT_MAX_SECONDS, type TDependency } from "../schemas/autostart";
import { formatFields, formatJson, formatTable, listCell } from "./output";
import { callProcedure, RemoteError, type TEndpoint } from "./remote";

/**
 * `atelier autostart [NAME [on|off] [--order N] [--delay S] [--group G]… [--after NAME (--port N | --ping)
 * [--timeout S] | --no-after]]`: the autostart router (autostart.board, autostart.set, autostart.setDependency)
 * through the API. A server without it answers NO_PROCEDURE (exit 1, "update it").
 */
export type TBoardEntry = {
  name: string;
  state: string;
  auto: boolean;
  order: number;
  delay: number;
  groups: string[];
  dependency: null | {
    after: string;
    probe: { kind: "tcp"; port: number } | { kind: "ping" };
    timeoutSeconds: number;
  };
  stopTimeoutSeconds: number;
};
export type TBoard = { bootGroups: string[]; containers: TBoardEntry[]; startOrder: string[] };

const out = (text: string) => process.stdout.write(text);
const usage = API_COMMANDS.autostart.usage;
/** The Autostart page's default wait for a dependency (components/autostart/board-model.ts). */
export const DEFAULT_DEPENDENCY_TIMEOUT_SECONDS = 60;

const dependencyText = (dependency: TBoardEntry["dependency"]) =>
  dependency
    ? `${dependency.after} ${dependency.probe.kind === "tcp" ? `tcp:${dependency.probe.port}` : "ping"} ${dependency.timeoutSeconds}s`
    : "-";

/** The board's rows: the boot order first (BOOT 1, 2 …), then the containers boot leaves alone. Pure: unit-tested. */
export const boardRows = (board: TBoard) => {
  const byName = new Map(board.containers.map((entry) => [entry.name, entry]));
  const booted = board.startOrder.map((name) => byName.get(name)).filter((entry) => entry !== undefined);
  const rest = board.containers
    .filter((entry) => !board.startOrder.includes(entry.name))
    .sort((a, b) => a.name.localeCompare(b.name));
  return [...booted, ...rest].map((entry) => {
    const position = board.startOrder.indexOf(entry.name);
    return [
      position === -1 ? "-" : String(position + 1),
      entry.name,
      entry.state,
      entry.auto ? "yes" : "no",
      String(entry.order),
      String(entry.delay),
      listCell(entry.groups),
      dependencyText(entry.dependency),
    ];
  });
};
export const BOARD_HEADERS = ["BOOT", "NAME", "STATE", "AUTO", "ORDER", "DELAY", "GROUPS", "AFTER"];

/**
 * The dependency the options ask for: undefined (leave it), null (--no-after: remove it) or `--after NAME` with its
 * probe (--port N or --ping) and --timeout (default 60 s). Pure: unit-tested.
 */
export const dependencyOf = (values: TParsed["values"]): TDependency | null | undefined => {
  const after = stringOf(values, "after");
  const port = intOf(values, "port", 1, 65535);
  const timeout = intOf(values, "timeout", 1, DEPENDENCY_TIMEOUT_MAX_SECONDS);
  if (values["no-after"]) {
    if (after !== undefined || port !== undefined || values.ping || timeout !== undefined)
      throw new CliUsageError(
        "--no-after removes the dependency: no --after, --port, --ping or --timeout with it",
      );
    return null;
  }
  if (after === undefined) {
    if (port !== undefined || values.ping || timeout !== undefined)
      throw new CliUsageError("--port, --ping and --timeout go with --after NAME");
    return undefined;
  }
  if ((port === undefined) === !values.ping)
    throw new CliUsageError("--after NAME needs its probe: --port N (a TCP port that answers) or --ping");
  return {
    after: nameArg(after, "--after"),
    probe: port === undefined ? { kind: "ping" } : { kind: "tcp", port },
    timeoutSeconds: timeout ?? DEFAULT_DEPENDENCY_TIMEOUT_SECONDS,
  };
};

/** What to do: show the board, show one container, or set. Pure: unit-tested. */
export const autostartAction = (parsed: TParsed) => {
  expectPositionals(parsed, 0, 2, usage);
  const [rawName, onOff] = parsed.positionals;
  const { values } = parsed;
  const order = intOf(values, "order", -1000, 1000);
  const delay = intOf(values, "delay", 0, 3600);
  const groups = values["no-group"] ? [] : listOf(values, "group");
  if (values["no-group"] && listOf(values, "group"))
    throw new CliUsageError("--no-group clears the groups: no --group with it");
  const dependency = dependencyOf(values);
  const isSetting =
    onOff !== undefined ||
    order !== undefined ||
    delay !== undefined ||
    groups !== undefined ||
    dependency !== undefined;
  if (rawName === undefined) {
    if (isSetting) throw new CliUsageError(`which container? ${usage}`);
    return { action: "board" as const };
  }
  const name = nameArg(rawName);
  if (!isSetting) return { action: "show" as const, name };
  if (values.json) throw new CliUsageError("--json is for reading: autostart [NAME] --json");
  if (onOff !== undefined && onOff !== "on" && onOff !== "off")
    throw new CliUsageError(`on or off (got ${JSON.stringify(onOff)})`);
  const isSettingValues =
    onOff !== undefined || order !== undefined || delay !== undefined || groups !== undefined;
  return {
    action: "set" as const,
    /** autostart.set's input, or null when only the dependency changes. */
    input: isSettingValues
      ? {
          name,
          ...(onOff === undefined ? {} : { auto: onOff === "on" }),
          ...(order === undefined ? {} : { order }),
          ...(delay === undefined ? {} : { delay }),
          ...(groups === undefined ? {} : { groups }),
        }
      : null,
    name,
    /** autostart.setDependency's dependency, or undefined to leave it. */
    dependency,
  };
};

export const runAutostart = async (endpoint: TEndpoint, parsed: TParsed) => {
  const action = autostartAction(parsed);
  if (action.action === "set") {
    if (action.input) await callProcedure(endpoint, "autostart.set", action.input);
    if (action.dependency !== undefined)
      await callProcedure(endpoint, "autostart.setDependency", {
        name: action.name,
        dependency: action.dependency,
      });
    out(`${action.name}: autostart updated\n`);
    return;
  }
  const board = await callProcedure<TBoard>(endpoint, "autostart.board");
  if (action.action === "board") {
    out(parsed.values.json ? formatJson(board) : formatTable(BOARD_HEADERS, boardRows(board)));
    return;
  }
  const entry = board.containers.find((each) => each.name === action.name);
  if (!entry) throw new RemoteError(`no container named ${action.name} (atelier ls lists them)`, "NOT_FOUND");
  const position = board.startOrder.indexOf(entry.name);
  if (parsed.values.json) {
    out(formatJson({ ...entry, bootPosition: position === -1 ? null : position + 1 }));
    return;
  }
  out(
    formatFields([
      ["name", entry.name],
      ["autostart", entry.auto ? "on" : "off"],
      ["boot position", position === -1 ? "- (not started at boot)" : String(position + 1)],
      ["order", String(entry.order)],
      ["delay", `${entry.delay} s`],
      ["groups", listCell(entry.groups)],
      ["after", dependencyText(entry.dependency)],
      ["stop timeout", `${entry.stopTimeoutSeconds} s`],
    ]),
  );
};
