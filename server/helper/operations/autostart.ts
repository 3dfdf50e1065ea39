import { AppError, containerNotFound, said } from "../../errors";
import { createBootDriver } from "../../boot/driver";
import { readAutostartPlan } from "../../boot/plan";
import { pingPath } from "../../boot/probe";
import { runAutostart } from "../../boot/routine";
import { extrasOf, updateAutostartStore } from "../../boot/store";
import { dependencyProblems } from "../../schemas/autostart";
import type { autostartContract } from "../contract/autostart";
import type { THandlers } from "../contract/define";

/**
 * Autostart (the contract: ../contract/autostart.ts): the plan read from the lxcpath, the host's /etc/default/lxc
 * and the state directory; dependencies (checked: the container named exists, is not the container itself, closes
 * no circle; ping only where the host has it) and stop timeouts written to the state directory; and the boot
 * routine run now (server/boot/routine.ts), its progress as the job's lines. One run at a time.
 */
export const autostartOperations = ({
  lxcPath,
  stateDir,
  hostRoot,
  start,
}: {
  lxcPath: string;
  stateDir: string;
  hostRoot: string;
  /** The helper's lxc.start (its checks before any start). */
  start: (name: string) => Promise<void>;
}) => {
  const sources = { lxcPath, stateDir, hostRoot };
  let running = false;
  const mustExist = async (name: string) => {
    const plan = await readAutostartPlan(sources);
    if (!plan.containers.some((entry) => entry.name === name)) throw containerNotFound(lxcPath, name);
    return plan;
  };
  return {
    plan: () => readAutostartPlan(sources),
    setDependency: async ({ name, dependency }) => {
      const plan = await mustExist(name);
      if (dependency) {
        if (dependency.probe.kind === "ping" && !(await pingPath()))
          throw new AppError("PRECONDITION_FAILED", { ...said("autostartPingMissing"), field: "dependency" });
        const edges = new Map(
          plan.containers.flatMap((entry) =>
            entry.dependency && entry.name !== name ? [[entry.name, entry.dependency.after] as const] : [],
          ),
        );
        edges.set(name, dependency.after);
        const existing = new Set(plan.containers.map((entry) => entry.name));
        const problem = dependencyProblems(edges, existing).find((found) => found.name === name);
        if (problem?.kind === "self")
          throw new AppError("BAD_REQUEST", {
            ...said("autostartDependsOnItself", { name }),
            field: "dependency",
          });
        if (problem?.kind === "missing")
          throw new AppError("BAD_REQUEST", {
            ...said("autostartDependencyMissing", { name, after: problem.after }),
            field: "dependency",
          });
        if (problem?.kind === "cycle")
          throw new AppError("BAD_REQUEST", {
            ...said("autostartDependencyCycle", { name, cycle: problem.cycle.join(" → ") }),
            field: "dependency",
          });
      }
      await updateAutostartStore(stateDir, (store) => ({
        containers: { ...store.containers, [name]: { ...extrasOf(store, name), dependency } },
      }));
      return null;
    },
    setStopTimeout: async ({ name, stopTimeoutSeconds }) => {
      await mustExist(name);
      await updateAutostartStore(stateDir, (store) => ({
        containers: { ...store.containers, [name]: { ...extrasOf(store, name), stopTimeoutSeconds } },
      }));
      return null;
    },
    run: async ({ group, action }, { signal, emit }) => {
      if (running) throw new AppError("CONFLICT", said("autostartRunBusy"));
      running = true;
      try {
        return await runAutostart({
          plan: await readAutostartPlan(sources),
          group,
          action,
          driver: createBootDriver({ lxcPath, start }),
          say: (line) => emit({ line, stream: "stdout" }),
          signal,
        });
      } finally {
        running = false;
      }
    },
  } satisfies THandlers<typeof autostartContract>;
};
