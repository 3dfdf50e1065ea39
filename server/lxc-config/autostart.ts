import type { TRole } from "../auth/roles";
import type { TContainerService } from "../containers/service";
import { AppError, said } from "../errors";
import type { THelper } from "../helper-client";
import type { TJobs } from "../jobs/jobs";
import type { TDependency } from "../schemas/autostart";
import { LxcConfig } from "../schemas/lxc-config/model";
import type { TConfigService } from "./service";

/**
 * The Autostart board's domain: the picture (the helper's plan, with each container's state from the state table),
 * lxc.start.* and lxc.group written through the config's validated write path (history, privilege rules, liblxc's
 * load), Atelier's dependencies and stop timeouts kept by the helper (the boot routine runs without the web tier),
 * and a run of the boot routine now, as a job.
 */
export type TAutostartSettingsInput = {
  name: string;
  auto?: boolean | undefined;
  order?: number | undefined;
  delay?: number | undefined;
  groups?: string[] | undefined;
  stopTimeoutSeconds?: number | undefined;
};

type TWriter = { actor: string; role: TRole; adminTicket?: string | undefined };

/** Orders given by reorder: 10, 20, 30… (room to slot a container in by hand). */
const ORDER_STEP = 10;

export const createAutostart = ({
  helper,
  config,
  containers,
  jobs,
}: {
  helper: Pick<THelper, "autostart">;
  config: Pick<TConfigService, "read" | "save">;
  containers: Pick<TContainerService, "list">;
  jobs: Pick<TJobs, "start">;
}) => {
  const board = async () => {
    const [plan, rows] = await Promise.all([helper.autostart.plan({}), containers.list()]);
    const states = new Map(rows.map((row) => [row.name, row.state]));
    return {
      bootGroups: plan.bootGroups,
      containers: plan.containers.map(
        ({ name, auto, order, delay, groups, dependency, stopTimeoutSeconds }) => ({
          name,
          state: states.get(name) ?? ("STOPPED" as const),
          auto,
          order,
          delay,
          groups,
          dependency,
          stopTimeoutSeconds,
        }),
      ),
      startOrder: plan.startOrder,
    };
  };

  /** One config write for the container's lxc.start.* and lxc.group changes (nothing when none is asked). */
  const writeConfig = async (input: TAutostartSettingsInput, writer: TWriter) => {
    const { name, auto, order, delay, groups } = input;
    if (auto === undefined && order === undefined && delay === undefined && groups === undefined) return;
    const current = await config.read(name);
    const model = LxcConfig.parse(current.raw);
    if (auto !== undefined) model.set("lxc.start.auto", auto ? "1" : "0");
    if (order !== undefined) model.set("lxc.start.order", String(order));
    if (delay !== undefined) model.set("lxc.start.delay", String(delay));
    if (groups !== undefined) {
      model.remove("lxc.group");
      for (const group of groups) model.add("lxc.group", group);
    }
    await config.save({
      name,
      raw: model.toString(),
      baseVersion: current.version,
      applyLive: false,
      ...writer,
    });
  };

  const set = async (input: TAutostartSettingsInput, writer: TWriter) => {
    await writeConfig(input, writer);
    if (input.stopTimeoutSeconds !== undefined)
      await helper.autostart.setStopTimeout({
        name: input.name,
        stopTimeoutSeconds: input.stopTimeoutSeconds,
      });
    return null;
  };

  /**
   * Gives the named containers lxc.start.order 10, 20, 30… in the order given, so that lxc-autostart starts them in
   * that order within each group pass (the groups still go first to last); a container already at its order is not
   * written.
   */
  const reorder = async (names: string[], writer: TWriter) => {
    if (new Set(names).size !== names.length)
      throw new AppError("BAD_REQUEST", { ...said("autostartReorderDuplicate"), field: "names" });
    const plan = await helper.autostart.plan({});
    const orders = new Map(plan.containers.map((entry) => [entry.name, entry.order]));
    for (const [index, name] of names.entries()) {
      const order = (index + 1) * ORDER_STEP;
      if (orders.get(name) !== order) await writeConfig({ name, order }, writer);
    }
    return (await board()).startOrder;
  };

  const setDependency = async (name: string, dependency: TDependency | null) => {
    await helper.autostart.setDependency({ name, dependency });
    return null;
  };

  const run = async ({
    group,
    action,
    actor,
  }: {
    group: string | null;
    action: "start" | "stop";
    actor: string;
  }) =>
    jobs.start({
      kind: "autostart",
      owner: actor,
      // About no one container: no container link in its events.
      target: "",
      about: { action, group: group ?? "boot" },
      work: async (context) => {
        context.setProgress(null);
        const result = await context.stream(helper.autostart.run, { group, action });
        if (result.failed.length > 0) {
          throw new AppError(
            "LXC_FAILED",
            said("autostartRunFailed", {
              count: result.failed.length,
              names: result.failed.map((failure) => failure.name).join(", "),
              first: result.failed[0]?.message ?? "",
            }),
          );
        }
        return result;
      },
    });

  return { board, set, reorder, setDependency, run };
};

export type TAutostart = ReturnType<typeof createAutostart>;
