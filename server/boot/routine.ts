import type { TAutostartPlan, TAutostartRunResult } from "../helper/contract/autostart";
import { scheduleWithDependencies, type TDependency } from "../schemas/autostart";
import type { TContainerState } from "../schemas/container-state";
import { probeWords } from "./probe";
import { selectionOrder } from "./plan";

/**
 * The boot routine: starts a set of autostart containers in lxc-autostart's order, honouring lxc.start.delay and
 * Atelier's dependencies, or stops it in reverse order with each container's stop timeout. Used by the helper's
 * autostart.run (a job's stream) and by `atelier boot start|stop` (root, from systemd, without the web tier).
 *
 * Start: a running (or frozen) container is left as it is, never started twice. A container with a dependency
 * waits, before it starts, until the container it names is RUNNING, has an IPv4 address and answers the probe, at
 * most its timeout; a dependency in the same set that comes later in the order is started first (a container
 * waits for it); one that failed in this run fails its dependents at once. A failure fails that container only: the
 * others go on. After each start, lxc.start.delay seconds pass before the next (as lxc-autostart sleeps).
 *
 * Stop: the reverse of the start's order (dependents before what they depend on), each running container asked to
 * halt cleanly and killed after its stop timeout (lxc-stop -t).
 */
export type TBootDriver = {
  /** The container's state, or "MISSING" when LXC does not know it. */
  state: (name: string) => Promise<TContainerState | "MISSING">;
  /** lxc-start, with the checks the helper makes before any start. */
  start: (name: string) => Promise<void>;
  /** lxc-stop -t: a clean halt, killed after `timeoutSeconds`. */
  stop: (name: string, timeoutSeconds: number) => Promise<void>;
  /**
   * Its IPv4 addresses the host may probe: those lxc-info -iH reports that are its own on its bridge's network, never
   * the host's or another network's (server/boot/target.ts).
   */
  ipv4: (name: string) => Promise<string[]>;
  answers: (address: string, dependency: TDependency) => Promise<boolean>;
};

export type TRunOptions = {
  plan: TAutostartPlan;
  /** null: the boot's groups (BOOTGROUPS); else a -g list. */
  group: string | null;
  action: "start" | "stop";
  driver: TBootDriver;
  /** Each progress line. */
  say: (line: string) => void | Promise<void>;
  signal?: AbortSignal;
  /** Milliseconds between two looks at a dependency (1 s). */
  pollMs?: number;
  /**
   * Stop only: then every other running container of the lxcpath too, last in lxc.start.order first, each with its
   * stop timeout (the host's shutdown: lxc-containers stop, which Atelier's drop-in replaces, stops them all).
   */
  andTheRest?: boolean;
};

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Waits until `dependency.after` is running and answers, at most its timeout. Null when it answered, else why it
 * did not (what was seen last).
 */
const waitFor = async (
  dependency: TDependency,
  driver: TBootDriver,
  pollMs: number,
  signal?: AbortSignal,
): Promise<string | null> => {
  const deadline = Date.now() + dependency.timeoutSeconds * 1000;
  const { after } = dependency;
  let seen: string;
  for (;;) {
    if (signal?.aborted) return "the run was cancelled";
    const state = await driver.state(after).catch(() => "MISSING" as const);
    if (state === "MISSING") seen = `"${after}" does not exist`;
    else if (state !== "RUNNING") seen = `"${after}" is ${state.toLowerCase()}, not running`;
    else {
      const addresses = await driver.ipv4(after).catch(() => []);
      const address = addresses[0];
      if (address === undefined)
        seen = `"${after}" is running but has no IPv4 address of its own on its bridge's network (the only kind the host probes)`;
      else if (await driver.answers(address, dependency)) return null;
      else seen = `"${after}" (${address}) did not answer on ${probeWords(dependency.probe)}`;
    }
    if (Date.now() >= deadline) return seen;
    await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())), signal);
  }
};

export const runAutostart = async ({
  plan,
  group,
  action,
  driver,
  say,
  signal,
  pollMs = 1000,
  andTheRest = false,
}: TRunOptions): Promise<TAutostartRunResult> => {
  const entries = new Map(plan.containers.map((entry) => [entry.name, entry]));
  const dependencyOf = (name: string) => entries.get(name)?.dependency ?? null;
  const schedule = scheduleWithDependencies(
    selectionOrder(plan, group),
    (name) => dependencyOf(name)?.after ?? null,
  );
  const which =
    group === null ? `the boot's groups (${plan.bootGroupList || "no group"})` : `group list "${group}"`;
  const result: TAutostartRunResult = { action, done: [], skipped: [], failed: [] };
  const fail = async (name: string, message: string) => {
    result.failed.push({ name, message });
    await say(`${name}: FAILED: ${message}`);
  };

  if (action === "stop") {
    const order = [...schedule].reverse();
    await say(
      `stopping ${order.length} container(s) of ${which}, in reverse order: ${order.join(", ") || "none"}`,
    );
    const inSet = new Set(order);
    const rest = andTheRest
      ? plan.containers
          .map((entry) => entry.name)
          .filter((name) => !inSet.has(name))
          .sort((a, b) => (entries.get(b)?.order ?? 0) - (entries.get(a)?.order ?? 0) || (a < b ? 1 : -1))
      : [];
    for (const name of [...order, ...rest]) {
      if (signal?.aborted) break;
      const state = await driver.state(name).catch(() => "MISSING" as const);
      if (state === "STOPPED" || state === "MISSING") {
        if (inSet.has(name)) {
          result.skipped.push(name);
          await say(`${name}: not running, nothing to stop`);
        }
        continue;
      }
      const timeout = entries.get(name)?.stopTimeoutSeconds ?? 30;
      await say(`${name}: stopping (clean halt, killed after ${timeout} s)`);
      try {
        await driver.stop(name, timeout);
        result.done.push(name);
        await say(`${name}: stopped`);
      } catch (error) {
        await fail(name, messageOf(error));
      }
    }
    return result;
  }

  await say(
    `starting ${schedule.length} container(s) of ${which}, in order: ${schedule.join(", ") || "none"}`,
  );
  const failed = new Set<string>();
  for (const name of schedule) {
    if (signal?.aborted) break;
    const state = await driver.state(name).catch(() => "MISSING" as const);
    if (state === "MISSING") {
      failed.add(name);
      await fail(name, "not started: LXC no longer knows it, or cannot load its config");
      continue;
    }
    if (state !== "STOPPED") {
      result.skipped.push(name);
      await say(`${name}: already ${state.toLowerCase()}, not started again`);
      continue;
    }
    const dependency = dependencyOf(name);
    if (dependency) {
      if (failed.has(dependency.after)) {
        failed.add(name);
        await fail(name, `not started: "${dependency.after}", which it starts after, failed to start`);
        continue;
      }
      await say(
        `${name}: waiting for "${dependency.after}" to answer on ${probeWords(dependency.probe)} (at most ${dependency.timeoutSeconds} s)`,
      );
      const why = await waitFor(dependency, driver, pollMs, signal);
      if (why !== null) {
        failed.add(name);
        await fail(name, `not started: ${why} within ${dependency.timeoutSeconds} s`);
        continue;
      }
      await say(`${name}: "${dependency.after}" answers`);
    }
    try {
      await driver.start(name);
      result.done.push(name);
      await say(`${name}: started`);
    } catch (error) {
      failed.add(name);
      await fail(name, messageOf(error));
      continue;
    }
    const delay = entries.get(name)?.delay ?? 0;
    if (delay > 0) {
      await say(`${name}: waiting ${delay} s (lxc.start.delay)`);
      await sleep(delay * 1000, signal);
    }
  }
  return result;
};
