import type { THostNetwork } from "../schemas/host-network";

/**
 * The host's network as iproute2 reports it (links, addresses, routes), read by the helper (`network.read`, four
 * `ip -j` processes per read, on request, never per container) and handed to the services that need it.
 */
export type TNetworkState = THostNetwork;
export type TReadNetwork = () => Promise<TNetworkState>;
