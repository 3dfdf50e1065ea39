import type { TLxcDriver, TStopOptions } from "../helper-client/lxc";
import type { TContainerState } from "../schemas/container-state";
import { memoryInUse } from "../metrics/memory";
import { ContainerLocks, type TBusyOperation } from "./locks";
import { ContainerStateTable } from "./state-table";

/**
 * Container operations as the API offers them: names validated at the boundary, one operation at a time per
 * container, the state table kept current. Domain code: no tRPC, no HTTP.
 */
export type TContainerServiceOptions = {
  /** What of the driver the service uses (the helper client's in the web tier; the integration tests pass root's). */
  lxc: Pick<
    TLxcDriver,
    | "lxcPath"
    | "configPath"
    | "notFound"
    | "exists"
    | "list"
    | "get"
    | "start"
    | "stop"
    | "restart"
    | "freeze"
    | "unfreeze"
    | "destroy"
  >;
  /** How stale the list may be for changes made outside Atelier. */
  listMaxAgeMs?: number;
};

export const createContainerService = ({ lxc, listMaxAgeMs = 1000 }: TContainerServiceOptions) => {
  const locks = new ContainerLocks();
  const table = new ContainerStateTable(lxc, { maxAgeMs: listMaxAgeMs });

  /** Run one operation under the container's lock, then refresh its row whatever the outcome. */
  const operate = async <T>(name: string, operation: TBusyOperation, work: () => Promise<T>) =>
    locks.run(name, operation, async () => {
      try {
        return await work();
      } finally {
        await table.refresh(name);
      }
    });

  const list = async () => {
    const busy = locks.busy();
    return (await table.list()).map((row) => ({ ...row, busy: busy.get(row.name) ?? null }));
  };

  /** From the state table, like list: no process per request (one lxc-ls only for a container it does not know yet). */
  const get = async (name: string) => {
    const row = (await table.row(name)) ?? ((await lxc.exists(name)) ? await table.refresh(name) : undefined);
    if (!row) throw lxc.notFound(name);
    const { name: rowName, state, pid, ipv4, ipv6, autostart, groups, unprivileged } = row;
    return {
      name: rowName,
      state,
      pid,
      ipv4,
      ipv6,
      autostart,
      groups,
      unprivileged,
      configPath: lxc.configPath(name),
      lxcPath: lxc.lxcPath,
      memoryUseBytes: state === "STOPPED" ? null : await memoryInUse(name),
      busy: locks.busy().get(name) ?? null,
    };
  };

  const ensureExists = async (name: string) => {
    if (!(await lxc.exists(name))) throw lxc.notFound(name);
  };

  /**
   * One call to the helper for the operation, one to refresh the row. The helper's operation finds a missing
   * container itself (the driver's first step reads its state: NOT_FOUND), so it is not asked first; but for a
   * restart, whose start checks run before that read (`askFirst`).
   */
  const lifecycle =
    <A extends unknown[]>(
      operation: TBusyOperation,
      act: (name: string, ...args: A) => Promise<void>,
      { askFirst = false }: { askFirst?: boolean } = {},
    ) =>
    async (name: string, ...args: A) => {
      if (askFirst) await ensureExists(name);
      await operate(name, operation, () => act(name, ...args));
    };

  return {
    list,
    get,
    start: lifecycle("start", lxc.start),
    stop: lifecycle("stop", (name, options: TStopOptions) => lxc.stop(name, options)),
    restart: lifecycle(
      "restart",
      (name, options: { timeoutSeconds?: number }) => lxc.restart(name, options),
      { askFirst: true },
    ),
    freeze: lifecycle("freeze", lxc.freeze),
    unfreeze: lifecycle("unfreeze", lxc.unfreeze),
    destroy: lifecycle("destroy", (name, options: { force?: boolean }) => lxc.destroy(name, options)),
    /** Runs work under a container's lock (provisioning jobs hold it for their whole run). */
    locked: operate,
    /** Re-read every container with one lxc-ls. */
    reload: () => table.reload(),
    /** A state change seen by lxc-monitor. */
    applyState: (name: string, state: TContainerState) => table.applyState(name, state),
    /** Whether lxc-monitor keeps the table current (else it is re-read when older than listMaxAgeMs). */
    setLive: (isLive: boolean) => table.setLive(isLive),
  };
};

export type TContainerService = ReturnType<typeof createContainerService>;
