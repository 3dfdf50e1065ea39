import { otherConfigs } from "./lxcpath-configs";
import { LxcConfig } from "../schemas/lxc-config/model";
import type { TPrivilegedChange } from "../schemas/lxc-config/privileges";

/**
 * The MACs and addresses other containers of the lxcpath and the host's own interfaces use: an operator may not give
 * a container one of them (it would take another machine's traffic on the bridge, or the host's). Read by the
 * helper (a container's directory is root's); the web tier's review does not see this check.
 */
export type TInUse = { macs: ReadonlyMap<string, string>; addresses: ReadonlyMap<string, string> };

const ADDRESS_KEY = /^lxc\.net\.\d+\.(ipv4|ipv6)\.address$/;
const MAC_KEY = /^lxc\.net\.\d+\.hwaddr$/;
/** "10.0.3.2/24 10.0.3.255" -> "10.0.3.2"; MACs lowercased. */
const addressOf = (value: string) => {
  const address = (value.split(/[ \t]/)[0] ?? "").split("/")[0]?.toLowerCase() ?? "";
  if (!address.includes(":")) return address;
  // One spelling per IPv6 address (fd00:0::10 and fd00::10 are one): the URL parser's.
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address;
  }
};

/** Every other container's MACs and addresses (by their config), and the host's (from `ip -j`), named by owner. */
export const networkInUse = async (
  lxcPath: string,
  except: string,
  host: { interfaces: { name: string; mac?: string | null; addresses: { cidr: string }[] }[] },
): Promise<TInUse> => {
  const macs = new Map<string, string>();
  const addresses = new Map<string, string>();
  for (const { name, text } of await otherConfigs(lxcPath, except)) {
    for (const { key, value } of LxcConfig.parse(text).entries()) {
      if (MAC_KEY.test(key) && !value.includes("x")) macs.set(value.toLowerCase(), `container ${name}`);
      if (ADDRESS_KEY.test(key) && value !== "") addresses.set(addressOf(value), `container ${name}`);
    }
  }
  for (const link of host.interfaces) {
    if (link.mac) macs.set(link.mac.toLowerCase(), `the host's ${link.name}`);
    for (const { cidr } of link.addresses) addresses.set(addressOf(cidr), `the host's ${link.name}`);
  }
  return { macs, addresses };
};

/** New lines of `after` (not in `before`) that give the container a MAC or address someone else uses. */
export const takenNetworkValues = (before: string, after: string, inUse: TInUse): TPrivilegedChange[] => {
  const old = new Set(
    LxcConfig.parse(before)
      .entries()
      .map((entry) => `${entry.key}=${entry.value}`),
  );
  return LxcConfig.parse(after)
    .entries()
    .flatMap((entry) => {
      if (old.has(`${entry.key}=${entry.value}`) || entry.value === "") return [];
      const owner = MAC_KEY.test(entry.key)
        ? inUse.macs.get(entry.value.toLowerCase())
        : ADDRESS_KEY.test(entry.key)
          ? inUse.addresses.get(addressOf(entry.value))
          : undefined;
      return owner === undefined
        ? []
        : [
            {
              line: entry.line,
              key: entry.key,
              value: entry.value,
              kind: "added" as const,
              reason: `${entry.value} is already used by ${owner}`,
            },
          ];
    });
};

/**
 * The lines of `after` that take a MAC or address in use (another container's or the host's), reading the lxcpath
 * and the host's interfaces only when `after` gives the container a new one.
 */
export const networkTaken = async (
  lxcPath: string,
  name: string,
  before: string,
  after: string,
  readHost: () => Promise<Parameters<typeof networkInUse>[2]>,
): Promise<TPrivilegedChange[]> => {
  const old = new Set(
    LxcConfig.parse(before)
      .entries()
      .map((entry) => `${entry.key}=${entry.value}`),
  );
  const hasNew = LxcConfig.parse(after)
    .entries()
    .some(
      (entry) =>
        (MAC_KEY.test(entry.key) || ADDRESS_KEY.test(entry.key)) &&
        entry.value !== "" &&
        !old.has(`${entry.key}=${entry.value}`),
    );
  if (!hasNew) return [];
  return takenNetworkValues(before, after, await networkInUse(lxcPath, name, await readHost()));
};
