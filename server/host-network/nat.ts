import path from "node:path";
import { z } from "zod";
import type { TDb } from "../db";
import { AppError } from "../errors";
import type { EventBus } from "../events/bus";
import type { TLogger } from "../log";
import { isCidr, isIP } from "../schemas/lxc-config/validate";
import { ZInterfaceName, ZIpv4 } from "../schemas/network";
import { inSubnet } from "./plan";
import type { THelper } from "../helper-client";
import type { TReadNetwork } from "./read";

/**
 * The NAT network: what LXC's lxc-net does, managed from the panel. One bridge with an address (the containers'
 * gateway and DNS server), dnsmasq for DHCP and DNS on that bridge only, an nftables table of Atelier's own that
 * masquerades the bridge's subnet, and IPv4 forwarding. Started again when Atelier starts if it was enabled (as
 * lxc-net does at boot). Every value that reaches dnsmasq's arguments or the nftables ruleset is validated here.
 */
export const NAT_TABLE = "atelier_nat";

export const ZNatConfig = z
  .object({
    bridge: ZInterfaceName,
    address: z.string().refine(
      (value) => {
        const prefix = Number(value.split("/")[1]);
        return value.includes("/") && isCidr(value, 4) && prefix >= 16 && prefix <= 30;
      },
      { message: "must be an IPv4 address with a prefix from /16 to /30, such as 10.0.4.1/24" },
    ),
    dhcpStart: ZIpv4,
    dhcpEnd: ZIpv4,
  })
  .strict()
  .superRefine((value, context) => {
    if (!isCidr(value.address, 4)) return;
    const [own] = value.address.split("/");
    for (const field of ["dhcpStart", "dhcpEnd"] as const) {
      if (isIP(value[field]) !== 4) continue;
      if (!inSubnet(value[field], value.address))
        context.addIssue({
          code: "custom",
          path: [field],
          message: `must be inside ${networkOf(value.address)}`,
        });
      else if (value[field] === own)
        context.addIssue({ code: "custom", path: [field], message: "must not be the bridge's own address" });
    }
    if (
      isIP(value.dhcpStart) === 4 &&
      isIP(value.dhcpEnd) === 4 &&
      toNumber(value.dhcpStart) > toNumber(value.dhcpEnd)
    )
      context.addIssue({
        code: "custom",
        path: ["dhcpEnd"],
        message: "must not come before the start of the range",
      });
  });
export type TNatConfig = z.infer<typeof ZNatConfig>;

export const DEFAULT_NAT: TNatConfig = {
  bridge: "lxcnat0",
  address: "10.0.4.1/24",
  dhcpStart: "10.0.4.2",
  dhcpEnd: "10.0.4.254",
};

const toNumber = (address: string) =>
  address.split(".").reduce((total, part) => total * 256 + Number(part), 0);
const fromNumber = (value: number) =>
  [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
/** 10.0.4.1/24 → 10.0.4.0/24 */
export const networkOf = (cidr: string) => {
  const [address = "", prefixText = "32"] = cidr.split("/");
  const size = 2 ** (32 - Number(prefixText));
  return `${fromNumber(Math.floor(toNumber(address) / size) * size)}/${prefixText}`;
};

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
    `--dhcp-lease-max=${toNumber(config.dhcpEnd) - toNumber(config.dhcpStart) + 1}`,
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

/**
 * The NAT network's settings and history (database), and the checks before a change; what runs (the bridge,
 * forwarding, the nftables table, dnsmasq) is the helper's (server/helper/operations/nat.ts).
 */
export const createNat = ({
  readNetwork,
  helper,
  db,
  events,
  log,
}: {
  readNetwork: TReadNetwork;
  helper: THelper;
  db: TDb;
  events: EventBus;
  log: TLogger;
}) => {
  let queue: Promise<unknown> = Promise.resolve();
  /** One NAT operation at a time. */
  const serially = <T>(work: () => Promise<T>) => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  const stored = async () => {
    const row = await db.natNetwork.findUnique({ where: { id: 1 } });
    return row
      ? {
          config: {
            bridge: row.bridge,
            address: row.address,
            dhcpStart: row.dhcpStart,
            dhcpEnd: row.dhcpEnd,
          },
          enabled: row.enabled,
        }
      : { config: DEFAULT_NAT, enabled: false };
  };

  /** What runs, as the helper sees it (bridge, dnsmasq, masquerade table, leases). */
  const status = async () => {
    const { config, enabled } = await stored();
    const live = await helper.call("nat.status", { config });
    return {
      config,
      enabled,
      running: live.parts.bridge && live.parts.dnsmasq !== null && live.parts.masquerade,
      parts: live.parts,
      ports: live.ports,
      leases: live.leases
        .map((lease) => ({ ...lease, expires: new Date(lease.expires) }))
        .filter((lease) => lease.expires.getTime() > Date.now()),
    };
  };

  /** On an admin's ticket; without one, the helper starts only the settings an admin last started. */
  const startParts = (config: TNatConfig, ticket?: string) =>
    helper.call("nat.start", { config, ...(ticket ? { ticket } : {}) });
  const stopParts = (config: TNatConfig, ticket?: string) =>
    helper.call("nat.stop", { config, ...(ticket ? { ticket } : {}) });

  const configure = (input: TNatConfig, actor: string) =>
    serially(async () => {
      const current = await status();
      if (current.running || current.parts.bridge)
        throw new AppError("PRECONDITION_FAILED", {
          message: "The NAT network is running",
          hint: "Stop it first, then change its settings.",
        });
      const network = await readNetwork();
      if (network.interfaces.some((entry) => entry.name === input.bridge))
        throw new AppError("BAD_REQUEST", {
          message: `An interface named ${input.bridge} already exists on this host`,
          hint: "Pick a name no interface has: Atelier creates the NAT bridge itself.",
          field: "bridge",
        });
      const [own] = input.address.split("/");
      for (const entry of network.interfaces)
        for (const address of entry.addresses.filter((a) => a.family === "inet")) {
          const [theirs] = address.cidr.split("/");
          if (inSubnet(theirs ?? "", input.address) || inSubnet(own ?? "", address.cidr))
            throw new AppError("BAD_REQUEST", {
              message: `${networkOf(input.address)} overlaps ${entry.name}'s ${address.cidr}`,
              hint: "Pick a private subnet no interface on this host uses, such as 10.0.4.0/24.",
              field: "address",
            });
        }
      await db.natNetwork.upsert({
        where: { id: 1 },
        create: { id: 1, ...input, enabled: false },
        update: { ...input },
      });
      await events.publish({ type: "network", actor, data: { action: "nat.configure", state: "stopped" } });
      return status();
    });

  const start = (actor: string, adminTicket?: string) =>
    serially(async () => {
      const { config } = await stored();
      // The helper takes down again what it started, if a part fails.
      await startParts(config, adminTicket);
      await db.natNetwork.upsert({
        where: { id: 1 },
        create: { id: 1, ...config, enabled: true },
        update: { enabled: true },
      });
      await events.publish({ type: "network", actor, data: { action: "nat.start", state: "running" } });
      return status();
    });

  const stop = (actor: string, adminTicket?: string) =>
    serially(async () => {
      const { config } = await stored();
      const current = await status();
      const busy = current.ports;
      if (busy.length > 0)
        throw new AppError("PRECONDITION_FAILED", {
          message: `Containers are attached to ${config.bridge} (${busy.join(", ")})`,
          hint: "Stop the containers on the NAT network first: stopping it would cut them off.",
        });
      await stopParts(config, adminTicket);
      await db.natNetwork.updateMany({ where: { id: 1 }, data: { enabled: false } });
      await events.publish({ type: "network", actor, data: { action: "nat.stop", state: "stopped" } });
      return status();
    });

  /** At start-up: an enabled NAT network is started again (as lxc-net does at boot). */
  const ensure = () =>
    serially(async () => {
      const { config, enabled } = await stored();
      if (!enabled) return;
      await startParts(config).catch((error: unknown) =>
        log.error("the NAT network could not be started", { error }),
      );
    });

  return { status, configure, start, stop, ensure };
};

export type TNat = ReturnType<typeof createNat>;
