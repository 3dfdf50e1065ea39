import { isAppError } from "../errors";
import { createLxcDriver } from "../lxc";
import { answers } from "./probe";
import { ownAddresses, readHostAddresses } from "./target";
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
    // What the guest claims, kept only where the host can vouch for it: a probe is never aimed at the host's own
    // addresses or at a network only the host reaches (server/boot/target.ts).
    ipv4: async (name) => {
      const info = await lxc.info(name);
      const claimed = info.ips.filter((ip) => IPV4.test(ip));
      return claimed.length === 0 ? [] : ownAddresses(claimed, info.links, await readHostAddresses());
    },
    answers: (address, dependency) => answers(address, dependency.probe),
  };
};
