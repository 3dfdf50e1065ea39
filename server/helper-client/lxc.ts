import path from "node:path";
import { containerNotFound } from "../errors";
import type { THelper } from ".";

/**
 * The web tier's LXC driver: each operation a call to the helper's `lxc` family, which runs it (and validates its
 * input again). Paths are computed here only to be shown and compared; nothing is opened.
 */
export type TStopOptions = {
  /** Kill at once instead of asking the container's init to halt. */
  force?: boolean;
  /** Seconds to wait for a clean halt before killing. */
  timeoutSeconds?: number;
};

export const DEFAULT_STOP_TIMEOUT_SECONDS = 30;

export const createHelperLxcDriver = (helper: Pick<THelper, "lxc">, { lxcPath }: { lxcPath: string }) => {
  const { lxc } = helper;
  const nothing = async (call: Promise<null>) => {
    await call;
  };
  return {
    lxcPath,
    configPath: (name: string) => path.join(lxcPath, name, "config"),
    notFound: (name: string) => containerNotFound(lxcPath, name),
    exists: (name: string) => lxc.exists({ name }),
    list: () => lxc.list({}),
    get: (name: string) => lxc.get({ name }),
    info: (name: string) => lxc.info({ name }),
    state: async (name: string) => (await lxc.info({ name })).state,
    create: (name: string, options: { template: "busybox" }) => lxc.create({ name, ...options }),
    start: (name: string) => nothing(lxc.start({ name })),
    stop: (name: string, options: TStopOptions = {}) => nothing(lxc.stop({ name, ...options })),
    restart: (name: string, options: Omit<TStopOptions, "force"> = {}) =>
      nothing(lxc.restart({ name, ...options })),
    freeze: (name: string) => nothing(lxc.freeze({ name })),
    unfreeze: (name: string) => nothing(lxc.unfreeze({ name })),
    destroy: (name: string, options: { force?: boolean } = {}) => nothing(lxc.destroy({ name, ...options })),
    setCgroup: (name: string, file: string, value: string) => nothing(lxc.setCgroup({ name, file, value })),
    discard: (name: string) => nothing(lxc.discard({ name })),
    removeLeftover: (name: string) => nothing(lxc.removeLeftover({ name })),
    deleteSnapshot: (name: string, snapshot: string) => nothing(lxc.deleteSnapshot({ name, snapshot })),
    checkConfig: (text: string) => lxc.checkConfig({ text }),
    defaultPath: () => lxc.defaultPath({}),
  };
};

/** The web tier's LXC driver, as every web-side module sees it. */
export type TLxcDriver = ReturnType<typeof createHelperLxcDriver>;
