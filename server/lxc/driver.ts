import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { AppError, containerNotFound, said, type TErrorParams } from "../errors";
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

/**
 * What LXC printed, where we recognise it, as the hint's values (its `advice` select in the catalogue: a sentence a
 * user can act on); else the default advice, to read the container's log.
 */
const adviceFor = (stderr: string): TErrorParams => {
  const bridge = /bridge "([^"]+)", bridge interface doesn't exist/.exec(stderr);
  if (bridge) return { advice: "bridge", bridge: bridge[1] ?? "" };
  if (/Unsupported config key|Failed to parse config/.test(stderr)) return { advice: "config" };
  if (/No such file or directory.*rootfs|Failed to mount rootfs/.test(stderr)) return { advice: "rootfs" };
  return { advice: "log" };
};

/**
 * What the driver could not do (the failure's `action` select in the catalogue); `file` and `snapshot` name what
 * setCgroup and deleteSnapshot were about.
 */
type TFailedAction =
  | "read"
  | "readState"
  | "create"
  | "start"
  | "unfreezeToStop"
  | "stop"
  | "freeze"
  | "unfreeze"
  | "destroy"
  | "discard"
  | { action: "setCgroup"; file: string }
  | { action: "deleteSnapshot"; snapshot: string };

const failed = (what: TFailedAction, name: string, result: TToolResult) => {
  const stderr = summariseStderr(result.stderr);
  const action = typeof what === "string" ? { action: what } : what;
  // The kernel's refusal of a live cgroup value has advice of its own.
  const advice = action.action === "setCgroup" ? { advice: "kernel" } : adviceFor(result.stderr);
  const params = { ...action, name, ...advice };
  return new AppError("LXC_FAILED", {
    ...(stderr
      ? said("lxcActionFailed", { ...params, stderr })
      : said("lxcActionExited", { ...params, exitCode: result.exitCode })),
    stderr,
  });
};

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
    if (result.exitCode !== 0) {
      const stderr = summariseStderr(result.stderr);
      throw new AppError("LXC_FAILED", {
        ...(stderr
          ? said("lxcListFailed", { stderr, ...adviceFor(result.stderr) })
          : said("lxcListExited", { exitCode: result.exitCode, ...adviceFor(result.stderr) })),
        stderr,
      });
    }
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
      throw new AppError("LXC_FAILED", said("lxcCannotLoad", { name, configPath: configPath(name) }));
    }
    return { ...row, configPath: configPath(name), lxcPath };
  };

  const info = async (name: string): Promise<TContainerInfo> => {
    if (!(await exists(name))) throw notFound(name);
    const result = await tool("lxc-info", ["-n", name, "-H"], 30 * SECOND);
    if (result.exitCode !== 0) {
      if (/doesn't exist/.test(result.stderr)) throw notFound(name);
      throw failed("readState", name, result);
    }
    return parseLxcInfo(result.stdout);
  };

  const state = async (name: string) => (await info(name)).state;

  const expectState = async (
    name: string,
    action: "start" | "stop" | "freeze" | "unfreeze",
    expected: TContainerState,
    result: TToolResult,
  ) => {
    const now = await state(name);
    if (now !== expected) {
      const stderr = summariseStderr(result.stderr);
      const params = { action, name, now, expected, ...adviceFor(result.stderr) };
      throw new AppError("LXC_FAILED", {
        ...(result.stderr.trim()
          ? said("lxcEndedInStateSaid", { ...params, stderr })
          : said("lxcEndedInState", params)),
        stderr,
      });
    }
  };

  /**
   * A container in the wrong state for what was asked: why (the refusal's `why` select in the catalogue), and what
   * to do (its `advice` select).
   */
  const wrongState = (
    name: string,
    now: TContainerState,
    why:
      | "startedFrozen"
      | "alreadyRunning"
      | "notRunning"
      | "freezeNeedsRunning"
      | "notFrozen"
      | "destroyRunning",
    advice: "unfreeze" | "nothing" | "start" | "startFirst" | "stopOrForce",
  ) => new AppError("PRECONDITION_FAILED", said("lxcWrongState", { name, now, why, advice }));

  const create = async (name: string, options: { template: "busybox" }) => {
    if (await exists(name)) {
      throw new AppError("CONFLICT", said("containerNameTaken", { name }));
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
        ...said("busyboxPrepareFailed", { name, reason: (error as Error).message }),
        cause: error,
      });
    }
    return get(name);
  };

  const start = async (name: string, { beforeStart }: TStartOptions = {}) => {
    const before = await state(name);
    if (before === "FROZEN") {
      throw wrongState(name, before, "startedFrozen", "unfreeze");
    }
    if (before !== "STOPPED") throw wrongState(name, before, "alreadyRunning", "nothing");
    await beforeStart?.(name);
    const result = await tool("lxc-start", ["-n", name], 60 * SECOND, true);
    if (result.exitCode !== 0) throw failed("start", name, result);
    await expectState(name, "start", "RUNNING", result);
  };

  const stop = async (name: string, options: TStopOptions = {}) => {
    const before = await state(name);
    if (!isRunningState(before)) throw wrongState(name, before, "notRunning", "nothing");
    const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_STOP_TIMEOUT_SECONDS;
    if (before === "FROZEN" && !options.force) {
      // A frozen init cannot act on the halt signal: thaw it so it can shut down cleanly.
      const thawed = await tool("lxc-unfreeze", ["-n", name], 30 * SECOND);
      if (thawed.exitCode !== 0) throw failed("unfreezeToStop", name, thawed);
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
      throw wrongState(name, before, "notRunning", "start");
    }
    await stop(name, options);
    await start(name, { beforeStart });
  };

  const freeze = async (name: string) => {
    const before = await state(name);
    if (before !== "RUNNING") {
      throw wrongState(name, before, "freezeNeedsRunning", before === "FROZEN" ? "nothing" : "startFirst");
    }
    const result = await tool("lxc-freeze", ["-n", name], 30 * SECOND);
    if (result.exitCode !== 0) throw failed("freeze", name, result);
    await expectState(name, "freeze", "FROZEN", result);
  };

  const unfreeze = async (name: string) => {
    const before = await state(name);
    if (before !== "FROZEN") throw wrongState(name, before, "notFrozen", "nothing");
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
      throw wrongState(name, before, "destroyRunning", "stopOrForce");
    }
    const { snapshots, clones } = await dependents(name);
    if (snapshots.length > 0) {
      throw new AppError(
        "PRECONDITION_FAILED",
        said("destroyHasSnapshots", { name, count: snapshots.length, snapshots: snapshots.join(", ") }),
      );
    }
    if (clones.length > 0) {
      throw new AppError(
        "PRECONDITION_FAILED",
        said("destroyHasClones", { name, clones: clones.join(", ") }),
      );
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
    if (result.exitCode !== 0) throw failed({ action: "setCgroup", file }, name, result);
  };

  /**
   * Removes what a failed, cancelled or interrupted creation left, whatever its state: stopped if running, with its
   * snapshots. Only for containers Atelier was making; the user-facing destroy refuses instead of forcing.
   */
  const discard = async (name: string) => {
    const result = await tool("lxc-destroy", ["-n", name, "-f", "-s"], 120 * SECOND);
    if (await exists(name)) throw failed("discard", name, result);
  };

  /** Deletes one snapshot (`lxc-snapshot -d`). */
  const deleteSnapshot = async (name: string, snapshot: string) => {
    const result = await tool("lxc-snapshot", ["-n", name, "-d", snapshot], 120 * SECOND);
    if (result.exitCode !== 0) throw failed({ action: "deleteSnapshot", snapshot }, name, result);
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
