import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { AppError, containerNotFound } from "../errors";
import { openRootfs } from "../rootfs";
import { BUSYBOX_RCS } from "../rootfs/busybox-init";
import { SNAPSHOT_NAME } from "../schemas/snapshot-name";
import {
  parseLxcInfo,
  parseLxcLsFancy,
  LXC_LS_COLUMNS,
  type TContainerInfo,
  type TContainerState,
} from "./parse";
import { runTool, summariseStderr, type TLxcTool, type TToolResult } from "./tools";

/**
 * The LXC driver: one typed async function per operation. Every call passes `-P <lxcpath>` and `-l ERROR`, runs
 * with a timeout, and is judged by its exit code AND the state afterwards (LXC exits 0 on "already running").
 * Callers are expected to pass names validated by ZContainerName and to serialise operations per container.
 */
export type TLxcDriverOptions = {
  lxcPath: string;
  /** Config file new containers start from (lxc-create -f); LXC's built-in defaults when undefined. */
  containerConfig?: string | undefined;
};

export type TStopOptions = {
  /** Kill at once instead of asking the container's init to halt. */
  force?: boolean;
  /** Seconds to wait for a clean halt before killing. */
  timeoutSeconds?: number;
};

export type TStartOptions = {
  /** Runs right before lxc-start, after the state checks (and after the stop of a restart); a throw refuses it. */
  beforeStart?: (name: string) => Promise<void>;
};

export const DEFAULT_STOP_TIMEOUT_SECONDS = 30;

const SECOND = 1000;
const isRunningState = (state: TContainerState) => state !== "STOPPED";

/** Turn what LXC printed into a sentence a user can act on, where we recognise it. */
const hintFor = (stderr: string): string | undefined => {
  const bridge = /bridge "([^"]+)", bridge interface doesn't exist/.exec(stderr);
  if (bridge) {
    return `The network bridge "${bridge[1]}" does not exist on the host. Create it (the README's setup command does), or link the container to an existing bridge in its config.`;
  }
  if (/Unsupported config key|Failed to parse config/.test(stderr)) {
    return "The container's config file has an error. Fix the line LXC names, then try again.";
  }
  if (/No such file or directory.*rootfs|Failed to mount rootfs/.test(stderr)) {
    return "The container's root filesystem is missing or cannot be mounted.";
  }
  return undefined;
};

const failed = (action: string, name: string, result: TToolResult, hint?: string) =>
  new AppError("LXC_FAILED", {
    message: `Could not ${action} "${name}": ${summariseStderr(result.stderr) || `the lxc tool exited with ${result.exitCode}`}`,
    hint: hint ?? hintFor(result.stderr) ?? "See the container's log for details, then try again.",
    stderr: summariseStderr(result.stderr),
  });

export { containerNotFound };

export const createLxcDriver = ({ lxcPath, containerConfig }: TLxcDriverOptions) => {
  const tool = (name: TLxcTool, args: string[], timeoutMs: number, captureLog = false) =>
    runTool(name, ["-P", lxcPath, "-l", "ERROR", ...args], { timeoutMs, captureLog });

  const containerDir = (name: string) => path.join(lxcPath, name);
  const configPath = (name: string) => path.join(containerDir(name), "config");

  const exists = async (name: string) => (await stat(configPath(name)).catch(() => null))?.isFile() ?? false;

  const notFound = (name: string) => containerNotFound(lxcPath, name);

  const lsArgs = ["-f", "-F", LXC_LS_COLUMNS.join(",")];

  /** All containers, with one lxc-ls call. */
  const list = async () => {
    const result = await tool("lxc-ls", lsArgs, 60 * SECOND);
    if (result.exitCode !== 0) throw failed("list", "containers", result);
    return parseLxcLsFancy(result.stdout);
  };

  /** One container's listing (same fields as list), with one lxc-ls call filtered to its name. */
  const get = async (name: string) => {
    if (!(await exists(name))) throw notFound(name);
    const result = await tool(
      "lxc-ls",
      [...lsArgs, "--filter", `^${name.replaceAll(".", "\\.")}$`],
      30 * SECOND,
    );
    if (result.exitCode !== 0) throw failed("read", name, result);
    const row = parseLxcLsFancy(result.stdout).find((entry) => entry.name === name);
    if (!row) {
      // lxc-ls leaves out containers whose config LXC cannot load.
      throw new AppError("LXC_FAILED", {
        message: `LXC cannot load the container "${name}"`,
        hint: `Its config file (${configPath(name)}) probably has an error: run lxc-info -n ${name} on the host to see it.`,
      });
    }
    return { ...row, configPath: configPath(name), lxcPath };
  };

  const info = async (name: string): Promise<TContainerInfo> => {
    if (!(await exists(name))) throw notFound(name);
    const result = await tool("lxc-info", ["-n", name, "-H"], 30 * SECOND);
    if (result.exitCode !== 0) {
      if (/doesn't exist/.test(result.stderr)) throw notFound(name);
      throw failed("read the state of", name, result);
    }
    return parseLxcInfo(result.stdout);
  };

  const state = async (name: string) => (await info(name)).state;

  const expectState = async (
    name: string,
    action: string,
    expected: TContainerState,
    result: TToolResult,
  ) => {
    const now = await state(name);
    if (now !== expected) {
      throw new AppError("LXC_FAILED", {
        message: `Could not ${action} "${name}": it is ${now}, not ${expected}${result.stderr.trim() ? ` (${summariseStderr(result.stderr)})` : ""}`,
        hint: hintFor(result.stderr) ?? "See the container's log for details, then try again.",
        stderr: summariseStderr(result.stderr),
      });
    }
  };

  const wrongState = (name: string, now: TContainerState, message: string, hint: string) =>
    new AppError("PRECONDITION_FAILED", { message: `"${name}" is ${now}: ${message}`, hint });

  const create = async (name: string, options: { template: "busybox" }) => {
    if (await exists(name)) {
      throw new AppError("CONFLICT", {
        message: `A container named "${name}" already exists`,
        hint: "Choose another name, or destroy the existing container first.",
      });
    }
    const args = ["-n", name, "-t", options.template];
    if (containerConfig) args.push("-f", containerConfig);
    const result = await tool("lxc-create", args, 300 * SECOND);
    if (result.exitCode !== 0 || !(await exists(name))) {
      // Leave nothing half-made behind.
      await tool("lxc-destroy", ["-n", name, "-f"], 60 * SECOND).catch(() => undefined);
      throw failed("create", name, result);
    }
    try {
      await openRootfs(path.join(containerDir(name), "rootfs")).writeFile("etc/init.d/rcS", BUSYBOX_RCS, {
        mode: 0o744,
      });
    } catch (error) {
      await tool("lxc-destroy", ["-n", name, "-f"], 60 * SECOND).catch(() => undefined);
      throw new AppError("INTERNAL", {
        message: `Could not prepare the busybox root filesystem of "${name}": ${(error as Error).message}`,
        cause: error,
      });
    }
    return get(name);
  };

  const start = async (name: string, { beforeStart }: TStartOptions = {}) => {
    const before = await state(name);
    if (before === "FROZEN") {
      throw wrongState(name, before, "it is already started, and frozen", "Unfreeze it instead.");
    }
    if (before !== "STOPPED") throw wrongState(name, before, "it is already running", "Nothing to do.");
    await beforeStart?.(name);
    const result = await tool("lxc-start", ["-n", name], 60 * SECOND, true);
    if (result.exitCode !== 0) throw failed("start", name, result);
    await expectState(name, "start", "RUNNING", result);
  };

  const stop = async (name: string, options: TStopOptions = {}) => {
    const before = await state(name);
    if (!isRunningState(before)) throw wrongState(name, before, "it is not running", "Nothing to do.");
    const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_STOP_TIMEOUT_SECONDS;
    if (before === "FROZEN" && !options.force) {
      // A frozen init cannot act on the halt signal: thaw it so it can shut down cleanly.
      const thawed = await tool("lxc-unfreeze", ["-n", name], 30 * SECOND);
      if (thawed.exitCode !== 0) throw failed("unfreeze (before stopping)", name, thawed);
    }
    // `-t N` asks init to halt and kills after N seconds (and still exits 0); `-k` kills at once.
    const args = options.force ? ["-n", name, "-k"] : ["-n", name, "-t", String(timeoutSeconds)];
    const result = await tool("lxc-stop", args, (timeoutSeconds + 30) * SECOND);
    // Exit 2 means "not running": a race with a stop from elsewhere; the state check below decides.
    if (result.exitCode !== 0 && result.exitCode !== 2) throw failed("stop", name, result);
    await expectState(name, "stop", "STOPPED", result);
  };

  const restart = async (
    name: string,
    { beforeStart, ...options }: Omit<TStopOptions, "force"> & TStartOptions = {},
  ) => {
    const before = await state(name);
    if (!isRunningState(before)) {
      throw wrongState(name, before, "it is not running", "Start it instead.");
    }
    await stop(name, options);
    await start(name, { beforeStart });
  };

  const freeze = async (name: string) => {
    const before = await state(name);
    if (before !== "RUNNING") {
      throw wrongState(
        name,
        before,
        "only a running container can be frozen",
        before === "FROZEN" ? "Nothing to do." : "Start it first.",
      );
    }
    const result = await tool("lxc-freeze", ["-n", name], 30 * SECOND);
    if (result.exitCode !== 0) throw failed("freeze", name, result);
    await expectState(name, "freeze", "FROZEN", result);
  };

  const unfreeze = async (name: string) => {
    const before = await state(name);
    if (before !== "FROZEN") throw wrongState(name, before, "it is not frozen", "Nothing to do.");
    const result = await tool("lxc-unfreeze", ["-n", name], 30 * SECOND);
    if (result.exitCode !== 0) throw failed("unfreeze", name, result);
    await expectState(name, "unfreeze", "RUNNING", result);
  };

  /** Snapshots (lxc-snapshot) and overlay clones that depend on a container; LXC refuses to destroy it then. */
  const dependents = async (name: string) => {
    const snapshots = await readdir(path.join(containerDir(name), "snaps")).catch(() => [] as string[]);
    const clones = (await readFile(path.join(containerDir(name), "lxc_snapshots"), "utf8").catch(() => ""))
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("/"));
    return { snapshots: snapshots.filter((entry) => SNAPSHOT_NAME.test(entry)), clones };
  };

  const destroy = async (name: string, options: { force?: boolean } = {}) => {
    const before = await state(name);
    if (isRunningState(before) && !options.force) {
      throw wrongState(
        name,
        before,
        "a running container cannot be destroyed",
        "Stop it first, or destroy it with force (which stops it).",
      );
    }
    const { snapshots, clones } = await dependents(name);
    if (snapshots.length > 0) {
      throw new AppError("PRECONDITION_FAILED", {
        message: `"${name}" has ${snapshots.length} snapshot(s): ${snapshots.join(", ")}`,
        hint: `Delete its snapshots first (lxc-snapshot -n ${name} -d SNAPSHOT).`,
      });
    }
    if (clones.length > 0) {
      throw new AppError("PRECONDITION_FAILED", {
        message: `Snapshot clones depend on "${name}": ${clones.join(", ")}`,
        hint: "Destroy those clones first.",
      });
    }
    const args = options.force ? ["-n", name, "-f"] : ["-n", name];
    const result = await tool("lxc-destroy", args, 120 * SECOND);
    if (await exists(name)) throw failed("destroy", name, result);
  };

  /**
   * Sets a cgroup file of a running container at once (`lxc-cgroup -n NAME memory.limit_in_bytes 512M`): how a
   * config change to an lxc.cgroup.* key applies without a restart. The config file is not touched.
   */
  const setCgroup = async (name: string, file: string, value: string) => {
    // lxc-cgroup would make the container's directory for a name that does not exist.
    if (!(await exists(name))) throw notFound(name);
    // `--`: a value that starts with '-' is a value, not one of lxc-cgroup's options (-o FILE writes a log as root).
    const result = await tool("lxc-cgroup", ["-n", name, "--", file, value], 15 * SECOND);
    if (result.exitCode !== 0)
      throw failed(
        `set ${file} of`,
        name,
        result,
        "The kernel refused the value; it applies at the next start instead.",
      );
  };

  /**
   * Removes what a failed, cancelled or interrupted creation left, whatever its state: stopped if running, with its
   * snapshots. Only for containers Atelier was making; the user-facing destroy refuses instead of forcing.
   */
  const discard = async (name: string) => {
    const result = await tool("lxc-destroy", ["-n", name, "-f", "-s"], 120 * SECOND);
    if (await exists(name)) throw failed("remove the half-made", name, result);
  };

  /** Deletes one snapshot (`lxc-snapshot -d`). */
  const deleteSnapshot = async (name: string, snapshot: string) => {
    const result = await tool("lxc-snapshot", ["-n", name, "-d", snapshot], 120 * SECOND);
    if (result.exitCode !== 0) throw failed(`delete snapshot ${snapshot} of`, name, result);
  };

  return {
    lxcPath,
    exists,
    setCgroup,
    discard,
    deleteSnapshot,
    notFound,
    list,
    get,
    info,
    state,
    create,
    start,
    stop,
    restart,
    freeze,
    unfreeze,
    destroy,
    configPath,
  };
};

export type TLxcDriver = ReturnType<typeof createLxcDriver>;
