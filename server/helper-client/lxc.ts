import path from "node:path";
import { containerNotFound, type TLxcDriver, type TStopOptions } from "../lxc";
import type { THelperOperations } from "../helper/operations";
import type { TOpenMonitor } from "../monitor/supervisor";
import type { THelperClient } from ".";

/**
 * The web tier's LXC driver: the same shape as server/lxc's, each operation a call to the helper, which runs it
 * (and validates its input again). Paths are computed here only to be shown and compared; nothing is opened.
 */
export const createHelperLxcDriver = (
  helper: THelperClient<THelperOperations>,
  { lxcPath }: { lxcPath: string },
): TLxcDriver => ({
  lxcPath,
  configPath: (name: string) => path.join(lxcPath, name, "config"),
  notFound: (name: string) => containerNotFound(lxcPath, name),
  exists: (name: string) => helper.call("lxc.exists", { name }),
  list: () => helper.call("lxc.list", {}),
  get: (name: string) => helper.call("lxc.get", { name }),
  info: (name: string) => helper.call("lxc.info", { name }),
  state: async (name: string) => (await helper.call("lxc.info", { name })).state,
  create: (name: string, options: { template: "busybox" }) => helper.call("lxc.create", { name, ...options }),
  start: (name: string) => helper.call("lxc.start", { name }),
  stop: (name: string, options: TStopOptions = {}) => helper.call("lxc.stop", { name, ...options }),
  restart: (name: string, options: Omit<TStopOptions, "force"> = {}) =>
    helper.call("lxc.restart", { name, ...options }),
  freeze: (name: string) => helper.call("lxc.freeze", { name }),
  unfreeze: (name: string) => helper.call("lxc.unfreeze", { name }),
  destroy: (name: string, options: { force?: boolean } = {}) =>
    helper.call("lxc.destroy", { name, ...options }),
  setCgroup: (name: string, file: string, value: string) =>
    helper.call("lxc.setCgroup", { name, file, value }),
  discard: (name: string) => helper.call("lxc.discard", { name }),
  deleteSnapshot: (name: string, snapshot: string) => helper.call("lxc.deleteSnapshot", { name, snapshot }),
});

/** `lxc-monitor` in the helper, as the monitor supervisor opens it: a streaming call, cancelled to stop it. */
export const openHelperMonitor =
  (helper: THelperClient<THelperOperations>): TOpenMonitor =>
  (onLine) => {
    const controller = new AbortController();
    const exited = helper
      .call("lxc.monitor", {}, { signal: controller.signal, onItem: (line) => onLine(String(line)) })
      .then(
        ({ exitCode }) => exitCode ?? undefined,
        () => undefined,
      );
    return { exited, stop: () => controller.abort() };
  };
