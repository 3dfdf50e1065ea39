import type { TAddress, TBridge, TInterface, TInterfaceKind, TRoute } from "../schemas/host-network";

/**
 * The host's network as iproute2 reports it in JSON (`ip -j -d -s link`, `ip -j addr`, `ip -j route`,
 * `ip -j -6 route`): interfaces with their kind, state, addresses, bridge membership and counters; bridges with their
 * ports; routes. Pure, so it is tested on captured output (__fixtures__, taken in the test network namespace).
 */
export type { TAddress, TBridge, TInterface, TInterfaceKind, TRoute };

type TRawLink = {
  ifindex: number;
  ifname: string;
  flags?: string[];
  mtu?: number;
  operstate?: string;
  link_type?: string;
  address?: string;
  master?: string;
  link_netnsid?: number;
  linkinfo?: { info_kind?: string; info_data?: { stp_state?: number; forward_delay?: number } };
  stats64?: { rx?: { bytes?: number }; tx?: { bytes?: number } };
};
type TRawAddr = {
  ifname: string;
  addr_info?: { family: string; local: string; prefixlen: number; scope?: string }[];
};
type TRawRoute = { dst: string; gateway?: string; dev?: string; prefsrc?: string };

const kindOf = (link: TRawLink): TInterfaceKind => {
  if (link.link_type === "loopback") return "loopback";
  const kind = link.linkinfo?.info_kind;
  if (
    kind === "bridge" ||
    kind === "veth" ||
    kind === "vlan" ||
    kind === "macvlan" ||
    kind === "bond" ||
    kind === "dummy"
  )
    return kind;
  // No linkinfo kind on an ethernet link: a real NIC.
  if (!kind && link.link_type === "ether") return "physical";
  return "other";
};

export const parseNetwork = (
  links: TRawLink[],
  addrs: TRawAddr[],
  routes4: TRawRoute[],
  routes6: TRawRoute[],
) => {
  const addressesOf = new Map(
    addrs.map((entry) => [
      entry.ifname,
      (entry.addr_info ?? []).map((info) => ({
        family: info.family === "inet6" ? ("inet6" as const) : ("inet" as const),
        cidr: `${info.local}/${info.prefixlen}`,
        scope: info.scope ?? "global",
      })),
    ]),
  );
  const interfaces: TInterface[] = links.map((link) => ({
    name: link.ifname,
    index: link.ifindex,
    kind: kindOf(link),
    state: link.operstate ?? "UNKNOWN",
    isUp: (link.flags ?? []).includes("UP"),
    mac: link.link_type === "loopback" ? null : (link.address ?? null),
    mtu: link.mtu ?? 0,
    master: link.master ?? null,
    addresses: addressesOf.get(link.ifname) ?? [],
    rxBytes: link.stats64?.rx?.bytes ?? null,
    txBytes: link.stats64?.tx?.bytes ?? null,
    peerInOtherNamespace: link.link_netnsid !== undefined,
  }));
  const bridges: TBridge[] = links
    .filter((link) => link.linkinfo?.info_kind === "bridge")
    .map((link) => ({
      name: link.ifname,
      ports: interfaces.filter((entry) => entry.master === link.ifname).map((entry) => entry.name),
      stp: link.linkinfo?.info_data?.stp_state === undefined ? null : link.linkinfo.info_data.stp_state !== 0,
      // The kernel reports it in centiseconds.
      forwardDelay:
        link.linkinfo?.info_data?.forward_delay === undefined
          ? null
          : link.linkinfo.info_data.forward_delay / 100,
    }));
  const toRoute =
    (family: "inet" | "inet6") =>
    (route: TRawRoute): TRoute => ({
      family,
      destination: route.dst,
      gateway: route.gateway ?? null,
      dev: route.dev ?? null,
      isDefault: route.dst === "default",
      source: route.prefsrc ?? null,
    });
  return { interfaces, bridges, routes: [...routes4.map(toRoute("inet")), ...routes6.map(toRoute("inet6"))] };
};

/** The interface holding an address (the one a browser reached this server on), or null. */
export const interfaceWithAddress = (interfaces: TInterface[], address: string | null) => {
  if (!address) return null;
  const plain = address.replace(/^::ffff:/, "");
  return (
    interfaces.find((entry) => entry.addresses.some((candidate) => candidate.cidr.split("/")[0] === plain)) ??
    null
  );
};
