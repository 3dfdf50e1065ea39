import { AppError, said } from "../../errors";
import { isCidr, isInterfaceName, isIP } from "../../schemas/lxc-config/validate";
import { PLAN_MTU } from "../../schemas/network-change";
import { isRunError, run } from "./runner";

/**
 * iproute2, the helper's only way to read and change the host's links, addresses and routes: `ip -j` reads (four
 * per network read, on request), the NAT network's bridge, and the steps of a network plan
 * (server/host-network/plan.ts), each matched against the few command shapes a plan holds before it runs. Every
 * name and address is checked where the arguments are built.
 */
const PACKAGE = "iproute2";
const READ_TIMEOUT_MS = 10_000;
const CHANGE_TIMEOUT_MS = 10_000;
/** A host with thousands of veths prints a few MB of `ip -j -d -s link`. */
const READ_MAX_BYTES = 64 * 1024 * 1024;

/** An argument that is not what its place takes (a bug of the caller's: the schemas checked it before). */
const refuse = (what: "interfaceName" | "cidr" | "address" | "forwardDelay" | "mtu", value: string) => {
  throw new AppError(
    "BAD_REQUEST",
    said("ipArgumentRefused", { what, value: JSON.stringify(value.slice(0, 100)) }),
  );
};
const name = (value: string) => (isInterfaceName(value) ? value : refuse("interfaceName", value));
/** An address with its prefix, IPv4 or IPv6, as one argument. */
const cidr = (value: string) =>
  value.includes("/") && !/\s/.test(value) && (isCidr(value, 4) || isCidr(value, 6))
    ? value
    : refuse("cidr", value);
const address = (value: string) => (isIP(value) === 0 ? refuse("address", value) : value);

const read = async (args: readonly string[]) => {
  const result = await run("ip", ["-j", ...args], {
    timeoutMs: READ_TIMEOUT_MS,
    maxOutputBytes: READ_MAX_BYTES,
    package: PACKAGE,
  });
  if (result.exitCode !== 0)
    throw new AppError(
      "INTERNAL",
      result.stderr.trim()
        ? said("ipReadFailed", { args: args.join(" "), output: result.stderr.trim() })
        : said("ipReadFailedCode", { args: args.join(" "), exitCode: result.exitCode }),
    );
  try {
    return JSON.parse(result.stdout || "[]") as unknown;
  } catch (error) {
    throw new AppError("INTERNAL", { ...said("ipReadNoJson", { args: args.join(" ") }), cause: error });
  }
};

/** The JSON reads of the host's network (server/host-network/parse.ts reads them). */
export const ipRead = {
  links: () => read(["-d", "-s", "link", "show"]),
  addresses: () => read(["addr", "show"]),
  routes: (family: 4 | 6) => read([...(family === 6 ? ["-6"] : []), "route", "show", "table", "main"]),
};

export type TIpOutcome = { ok: boolean; output: string };

const change = async (args: readonly string[]): Promise<TIpOutcome> => {
  try {
    const result = await run("ip", args, { timeoutMs: CHANGE_TIMEOUT_MS, package: PACKAGE });
    return { ok: result.exitCode === 0, output: (result.stderr || result.stdout).trim().slice(0, 1000) };
  } catch (error) {
    // Timed out or not installed: still an outcome, so that a plan undoes the steps before it.
    if (isRunError(error)) return { ok: false, output: error.message };
    throw error;
  }
};

/** The changes' arguments (after `ip`), each name and address checked. */
export const ipArgs = {
  addBridge: (bridge: string, options: { stp?: boolean; forwardDelayCentiseconds?: number } = {}) => {
    const delay = options.forwardDelayCentiseconds;
    if (delay !== undefined && !(Number.isInteger(delay) && delay >= 0 && delay <= 100_000))
      refuse("forwardDelay", String(delay));
    return [
      ...["link", "add", "name", name(bridge), "type", "bridge"],
      ...(options.stp === undefined ? [] : ["stp_state", options.stp ? "1" : "0"]),
      ...(delay === undefined ? [] : ["forward_delay", String(delay)]),
    ];
  },
  deleteLink: (link: string) => ["link", "del", name(link)],
  setUp: (link: string, isUp: boolean) => ["link", "set", name(link), isUp ? "up" : "down"],
  setMaster: (port: string, bridge: string | null) => [
    ...["link", "set", name(port)],
    ...(bridge === null ? ["nomaster"] : ["master", name(bridge)]),
  ],
  setMtu: (link: string, mtu: number) => {
    if (!(Number.isInteger(mtu) && mtu >= PLAN_MTU.min && mtu <= PLAN_MTU.max)) refuse("mtu", String(mtu));
    return ["link", "set", name(link), "mtu", String(mtu)];
  },
  addAddress: (value: string, dev: string) => ["addr", "add", cidr(value), "dev", name(dev)],
  deleteAddress: (value: string, dev: string) => ["addr", "del", cidr(value), "dev", name(dev)],
  replaceDefaultRoute: (via: string, dev: string) => [
    ...["route", "replace", "default"],
    ...["via", address(via), "dev", name(dev)],
  ],
  deleteDefaultRoute: () => ["route", "del", "default"],
};

/** The changes, run. An outcome, not a throw: a plan undoes what came before a failed step. */
export const ipChange = {
  addBridge: (...params: Parameters<typeof ipArgs.addBridge>) => change(ipArgs.addBridge(...params)),
  deleteLink: (...params: Parameters<typeof ipArgs.deleteLink>) => change(ipArgs.deleteLink(...params)),
  setUp: (...params: Parameters<typeof ipArgs.setUp>) => change(ipArgs.setUp(...params)),
  setMaster: (...params: Parameters<typeof ipArgs.setMaster>) => change(ipArgs.setMaster(...params)),
  setMtu: (...params: Parameters<typeof ipArgs.setMtu>) => change(ipArgs.setMtu(...params)),
  addAddress: (...params: Parameters<typeof ipArgs.addAddress>) => change(ipArgs.addAddress(...params)),
  deleteAddress: (...params: Parameters<typeof ipArgs.deleteAddress>) =>
    change(ipArgs.deleteAddress(...params)),
  replaceDefaultRoute: (...params: Parameters<typeof ipArgs.replaceDefaultRoute>) =>
    change(ipArgs.replaceDefaultRoute(...params)),
  deleteDefaultRoute: (...params: Parameters<typeof ipArgs.deleteDefaultRoute>) =>
    change(ipArgs.deleteDefaultRoute(...params)),
};

/** What a change that must succeed does, as its failure's sentence names it (the catalogue's `change` select). */
export type TMustChange =
  | { change: "addBridge" | "setUp" | "deleteLink"; bridge: string }
  | { change: "addAddress"; bridge: string; address: string };

/** A change that must succeed (the NAT network's): its failure is an error with what ip printed. */
export const mustChange = async (outcome: Promise<TIpOutcome>, what: TMustChange) => {
  const { ok, output } = await outcome;
  if (!ok)
    throw new AppError("INTERNAL", {
      ...(output ? said("ipChangeFailed", { ...what, output }) : said("ipChangeFailedSilent", what)),
      stderr: output,
    });
};

const DIGITS = /^\d{1,6}$/;

/**
 * A network plan's step (`["ip", ...]`, made by server/host-network/plan.ts) as one of the changes above: its
 * arguments after `ip`, checked. Anything else is a bug, not something to run as root: it throws.
 */
export const planStepArgs = (argv: readonly string[]): string[] => {
  const [program, object, verb, ...rest] = argv;
  const shape = [object, verb].join(" ");
  const bad = (): never => {
    throw new Error(`refusing to run ${JSON.stringify(argv.slice(0, 12))}: not a network plan's ip command`);
  };
  if (program !== "ip") return bad();
  if (shape === "link add") {
    const [nameWord, bridge, typeWord, type, ...options] = rest;
    if (nameWord !== "name" || bridge === undefined || typeWord !== "type" || type !== "bridge") return bad();
    let stp: boolean | undefined;
    let delay: number | undefined;
    for (let index = 0; index < options.length; index += 2) {
      const [key, value = ""] = [options[index], options[index + 1]];
      if (key === "stp_state" && (value === "0" || value === "1") && stp === undefined) stp = value === "1";
      else if (key === "forward_delay" && DIGITS.test(value) && delay === undefined) delay = Number(value);
      else return bad();
    }
    return ipArgs.addBridge(bridge, {
      ...(stp === undefined ? {} : { stp }),
      ...(delay === undefined ? {} : { forwardDelayCentiseconds: delay }),
    });
  }
  if (shape === "link del" && rest.length === 1 && rest[0] !== undefined) return ipArgs.deleteLink(rest[0]);
  if (shape === "link set") {
    const [link, what, value, ...extra] = rest;
    if (link === undefined || extra.length > 0) return bad();
    if ((what === "up" || what === "down") && value === undefined) return ipArgs.setUp(link, what === "up");
    if (what === "nomaster" && value === undefined) return ipArgs.setMaster(link, null);
    if (what === "master" && value !== undefined) return ipArgs.setMaster(link, value);
    if (what === "mtu" && value !== undefined && DIGITS.test(value))
      return ipArgs.setMtu(link, Number(value));
    return bad();
  }
  if (shape === "addr add" || shape === "addr del") {
    const [value, devWord, dev, ...extra] = rest;
    if (value === undefined || devWord !== "dev" || dev === undefined || extra.length > 0) return bad();
    return verb === "add" ? ipArgs.addAddress(value, dev) : ipArgs.deleteAddress(value, dev);
  }
  if (shape === "route replace") {
    const [target, viaWord, via, devWord, dev, ...extra] = rest;
    if (
      target !== "default" ||
      viaWord !== "via" ||
      via === undefined ||
      devWord !== "dev" ||
      dev === undefined
    )
      return bad();
    if (extra.length > 0) return bad();
    return ipArgs.replaceDefaultRoute(via, dev);
  }
  if (shape === "route del" && rest.length === 1 && rest[0] === "default") return ipArgs.deleteDefaultRoute();
  return bad();
};

/**
 * Runs a network plan's step (its arguments checked first): the outcome, for the plan's log and undo. A refused
 * command is a failed step, not a throw: an undo built from a value the host had that no plan may set must not stop
 * a rollback halfway (the undos after it still run, and the change is still recorded).
 */
export const runPlanStep = async (argv: readonly string[]): Promise<TIpOutcome> => {
  let args: string[];
  try {
    args = planStepArgs(argv);
  } catch (error) {
    return { ok: false, output: error instanceof Error ? error.message : String(error) };
  }
  return change(args);
};
