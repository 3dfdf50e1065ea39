import { parseNetwork } from "../../host-network/parse";
import type { THostNetwork } from "../../schemas/host-network";
import { ipRead } from "../run/ip";

/**
 * The host's interfaces, bridges and routes, as iproute2 reports them (four `ip -j` reads side by side): for
 * network.read, and for the helper's own checks (a network plan, the NAT bridge, addresses in use).
 */
export const readHostNetwork = async (): Promise<THostNetwork> => {
  const [links, addrs, routes4, routes6] = await Promise.all([
    ipRead.links(),
    ipRead.addresses(),
    ipRead.routes(4),
    ipRead.routes(6),
  ]);
  return parseNetwork(
    links as Parameters<typeof parseNetwork>[0],
    addrs as Parameters<typeof parseNetwork>[1],
    routes4 as Parameters<typeof parseNetwork>[2],
    routes6 as Parameters<typeof parseNetwork>[3],
  );
};
