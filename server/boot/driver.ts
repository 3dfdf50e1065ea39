import { isAppError } from "../errors";
import { createLxcDriver } from "../lxc";
import { answers } from "./probe";
import type { TBootDriver } from "./routine";

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * The boot routine's hands on an lxcpath: the lxc driver's state, stop and addresses, and the caller's start (the
 * helper's lxc.start, with its checks before any start).
 */
export const createBootDriver = ({
  lxcPath,
  start,
}: {
  lxcPath: string;
  start: (name: string) => Promise<void>;
}): TBootDriver => {
  const lxc = createLxcDriver({ lxcPath });
  return {
    state: (name) =>
      lxc.info(name).then(
        (info) => info.state,
        (error: unknown) => {
          if (isAppError(error) && error.code === "NOT_FOUND") return "MISSING" as const;
          throw error;
        },
      ),
    start,
    stop: (name, timeoutSeconds) => lxc.stop(name, { timeoutSeconds }),
    ipv4: async (name) => (await lxc.info(name)).ips.filter((ip) => IPV4.test(ip) && !ip.startsWith("127.")),
    answers: (address, dependency) => answers(address, dependency.probe),
  };
};
