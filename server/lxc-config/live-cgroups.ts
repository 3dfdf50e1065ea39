import type { TContainerService } from "../containers/service";
import type { TLxcDriver } from "../helper-client/lxc";
import { lookupKey } from "../schemas/lxc-config/catalogue";
import { liveCgroupFile, type TConfigChange } from "./changes";

/**
 * A saved config's cgroup changes applied to the running container at once (lxc-cgroup), when the writer asks: the
 * file keeps the change either way, and the container takes it at its next start if not now.
 */
export const createLiveCgroups = ({
  lxc,
  containers,
}: {
  lxc: Pick<TLxcDriver, "setCgroup">;
  containers: Pick<TContainerService, "get">;
}) => ({
  /**
   * Sets each live change's new values on the container if `applyLive` and it runs (or is frozen), noting on each
   * change whether it took (`applied`). A removed value waits for the next start: there is no cgroup value to go back
   * to.
   */
  apply: async (name: string, changes: TConfigChange[], applyLive: boolean) => {
    // The state only when there is something to apply (from the state table: no helper call while it is current).
    if (!applyLive || !changes.some((change) => change.apply === "live")) return;
    const { state } = await containers.get(name);
    if (state !== "RUNNING" && state !== "FROZEN") return;
    for (const change of changes) {
      if (change.apply !== "live") continue;
      const file = liveCgroupFile(change.key) ?? "";
      const info = lookupKey(change.key);
      // Values that were added (a repeatable key), or the new value (a single one); a removal waits for a restart.
      const values = info?.repeatable
        ? change.after.filter((value) => !change.before.includes(value))
        : change.after.slice(-1);
      const isRemoval = info?.repeatable
        ? change.before.some((value) => !change.after.includes(value))
        : values.length === 0;
      if (isRemoval || values.length === 0) {
        change.applied = { ok: false, message: "A removed value applies at the next start" };
        continue;
      }
      try {
        for (const value of values) await lxc.setCgroup(name, file, value);
        change.applied = { ok: true };
      } catch (error) {
        change.applied = { ok: false, message: (error as Error).message };
      }
    }
  },
});

export type TLiveCgroups = ReturnType<typeof createLiveCgroups>;
