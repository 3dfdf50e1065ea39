import { isIP } from "./lxc-config/validate";

/**
 * IPv4 arithmetic on dotted quads, pure: the network plan, the NAT settings and a container's gateway check share it
 * (and the helper, which checks the NAT settings again). Callers validate the addresses first.
 */
export const ipv4ToNumber = (address: string) =>
  address.split(".").reduce((total, part) => total * 256 + Number(part), 0);

export const ipv4FromNumber = (value: number) =>
  [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");

/** Whether an IPv4 address is inside the network of an IPv4 address/prefix (false for IPv6). */
export const inSubnet = (address: string, cidr: string) => {
  const [base, prefixText] = cidr.split("/");
  if (isIP(address) !== 4 || !base || isIP(base) !== 4) return false;
  const size = 2 ** (32 - Number(prefixText));
  return Math.floor(ipv4ToNumber(address) / size) === Math.floor(ipv4ToNumber(base) / size);
};

/** 10.0.4.1/24 → 10.0.4.0/24 */
export const networkOf = (cidr: string) => {
  const [address = "", prefixText = "32"] = cidr.split("/");
  const size = 2 ** (32 - Number(prefixText));
  return `${ipv4FromNumber(Math.floor(ipv4ToNumber(address) / size) * size)}/${prefixText}`;
};
