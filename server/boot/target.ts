import { run } from "../helper/run/runner";

/**
 * Which of a container's IPv4 addresses the host may probe for a dependency. `lxc-info -i` reports whatever addresses
 * the guest put on its interfaces: a guest (or an operator, who is root in every container) can claim the host's
 * own bridge address, a cloud's metadata address or any host of a network only the host reaches, and the probe,
 * made from the host with the job's lines telling whether it answered, would then be a port scanner aimed from the
 * host. So an address is probed only when it is the container's own as the host sees it: inside an IPv4 network of
 * the bridge one of the container's host-side veths is enslaved to, neither that network's own address nor its
 * broadcast, and not an address of the host itself (any interface). A container without a bridged veth (macvlan,
 * phys, none) has no address the host can vouch for, so its dependents wait and fail with why.
 */

type TAddrInfo = { family?: unknown; local?: unknown; prefixlen?: unknown };
type TIpLink = { ifname?: unknown; master?: unknown; addr_info?: unknown };

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The address as an unsigned 32-bit number, or null when it is not a dotted IPv4 address. */
export const ipv4Number = (address: string) => {
  const match = IPV4.exec(address);
  if (!match) return null;
  const parts = match.slice(1).map(Number);
  if (parts.some((part) => part > 255)) return null;
  return parts.reduce((value, part) => value * 256 + part, 0);
};

const inet = (link: TIpLink) =>
  (Array.isArray(link.addr_info) ? (link.addr_info as TAddrInfo[]) : []).flatMap((info) => {
    if (info.family !== "inet" || typeof info.local !== "string" || typeof info.prefixlen !== "number")
      return [];
    const local = ipv4Number(info.local);
    return local === null || !Number.isInteger(info.prefixlen) || info.prefixlen < 0 || info.prefixlen > 32
      ? []
      : [{ local, prefixlen: info.prefixlen }];
  });

/**
 * The candidates that are the container's own (see above), in their order. `hostView` is `ip -j addr show` of the
 * host's namespace, parsed; `veths` the container's host-side veth names (lxc-info's Link lines).
 */
export const ownAddresses = (candidates: string[], veths: string[], hostView: unknown): string[] => {
  const links = (Array.isArray(hostView) ? (hostView as TIpLink[]) : []).filter(
    (link) => typeof link === "object" && link !== null,
  );
  const hostAddresses = new Set(links.flatMap((link) => inet(link).map((address) => address.local)));
  const bridges = new Set(
    links.flatMap((link) =>
      typeof link.ifname === "string" && veths.includes(link.ifname) && typeof link.master === "string"
        ? [link.master]
        : [],
    ),
  );
  const networks = links
    .filter((link) => typeof link.ifname === "string" && bridges.has(link.ifname))
    .flatMap(inet)
    // A /31 or /32 on the bridge names no network of containers.
    .filter((address) => address.prefixlen <= 30)
    .map(({ local, prefixlen }) => {
      const size = 2 ** (32 - prefixlen);
      const base = local - (local % size);
      return { first: base + 1, last: base + size - 2 };
    });
  return candidates.filter((candidate) => {
    const value = ipv4Number(candidate);
    return (
      value !== null &&
      !hostAddresses.has(value) &&
      networks.some((network) => value >= network.first && value <= network.last)
    );
  });
};

/** `ip -j addr show` of the host's network namespace (the helper's, or the boot command's). */
export const readHostAddresses = async (): Promise<unknown> => {
  const result = await run("ip", ["-j", "addr", "show"], {
    timeoutMs: 10_000,
    maxOutputBytes: 64 * 1024 * 1024,
    package: "iproute2",
  });
  if (result.exitCode !== 0) return [];
  try {
    return JSON.parse(result.stdout || "[]") as unknown;
  } catch {
    return [];
  }
};
