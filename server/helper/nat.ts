import path from "node:path";
import { ipv4ToNumber, networkOf } from "../schemas/ipv4";
import type { TNatConfig } from "../schemas/nat";

/**
 * What the helper makes of the NAT network's settings: the nftables ruleset and dnsmasq's arguments (from a config
 * that passed ZNatConfig, server/schemas/nat.ts), and dnsmasq's lease file read back. Root's side only: the web
 * tier keeps the settings and asks the helper to start or stop them.
 */
export const NAT_TABLE = "atelier_nat";

/** The nftables ruleset, from validated values only. Replacing the table makes it idempotent. */
export const natRuleset = (config: TNatConfig) => {
  const subnet = networkOf(config.address);
  return [
    `table ip ${NAT_TABLE}`,
    `delete table ip ${NAT_TABLE}`,
    `table ip ${NAT_TABLE} {`,
    "  chain postrouting {",
    "    type nat hook postrouting priority srcnat; policy accept;",
    `    ip saddr ${subnet} ip daddr != ${subnet} masquerade`,
    "  }",
    "  chain forward {",
    "    type filter hook forward priority filter; policy accept;",
    `    iifname "${config.bridge}" accept`,
    `    oifname "${config.bridge}" ct state related,established accept`,
    "  }",
    "  chain input {",
    "    type filter hook input priority filter; policy accept;",
    `    iifname "${config.bridge}" udp dport { 53, 67 } accept`,
    `    iifname "${config.bridge}" tcp dport 53 accept`,
    "  }",
    "}",
    "",
  ].join("\n");
};

/** dnsmasq's arguments, as lxc-net gives them: DHCP and DNS on the bridge only. */
export const dnsmasqArgs = (config: TNatConfig, dir: string) => {
  const [own] = config.address.split("/");
  return [
    "--conf-file=/dev/null",
    "--strict-order",
    "--bind-interfaces",
    `--pid-file=${path.join(dir, "dnsmasq.pid")}`,
    `--listen-address=${own}`,
    `--dhcp-range=${config.dhcpStart},${config.dhcpEnd},1h`,
    `--dhcp-lease-max=${ipv4ToNumber(config.dhcpEnd) - ipv4ToNumber(config.dhcpStart) + 1}`,
    "--dhcp-no-override",
    "--except-interface=lo",
    `--interface=${config.bridge}`,
    `--dhcp-leasefile=${path.join(dir, "dnsmasq.leases")}`,
    "--dhcp-authoritative",
  ];
};

export type TLease = { expires: Date; mac: string; address: string; hostname: string | null };
/** dnsmasq's lease file: "expiry-epoch mac ip hostname client-id" per line. */
export const parseLeases = (text: string): TLease[] =>
  text
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 4 && /^\d+$/.test(fields[0] ?? ""))
    .map(([expiry, mac, address, hostname]) => ({
      expires: new Date(Number(expiry) * 1000),
      mac: mac ?? "",
      address: address ?? "",
      hostname: hostname && hostname !== "*" ? hostname : null,
    }));
