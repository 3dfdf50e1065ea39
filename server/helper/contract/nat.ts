import { z } from "zod";
import { ZNatConfig } from "../../schemas/nat";
import { op } from "./define";
import { ZOptionalTicket } from "./ticket";

/**
 * The NAT network's moving parts, as lxc-net makes them (server/helper/operations/nat.ts): the bridge and its
 * address, IPv4 forwarding, Atelier's nftables table (masquerade) and dnsmasq (DHCP and DNS on the bridge only).
 * The settings are the web tier's (database); the helper checks them again (ZNatConfig) before any value reaches
 * nft or dnsmasq, and keeps the settings an admin last started.
 */
const SECOND = 1000;

export const ZNatLease = z.object({
  /** ISO time. */
  expires: z.string(),
  mac: z.string(),
  address: z.string(),
  hostname: z.string().nullable(),
});

/** What runs of the NAT network, as the helper sees it. */
export const ZNatStatus = z.object({
  parts: z.object({
    bridge: z.boolean(),
    /** dnsmasq's pid, when it runs with the helper's files. */
    dnsmasq: z.number().int().nullable(),
    masquerade: z.boolean(),
  }),
  /** The bridge's ports (containers' veths). */
  ports: z.array(z.string()),
  leases: z.array(ZNatLease),
});
export type TNatStatus = z.infer<typeof ZNatStatus>;

const ZTicketed = z.object({ config: ZNatConfig, ticket: ZOptionalTicket }).strict();

export const natContract = {
  status: op({
    input: z.object({ config: ZNatConfig }).strict(),
    output: ZNatStatus,
    // A network read (ip, 10 s) and `nft list table` (15 s).
    timeoutMs: 45 * SECOND,
    summary: "What runs of the NAT network: bridge, dnsmasq, masquerade table, leases",
  }),
  start: op({
    input: ZTicketed,
    output: ZNatStatus,
    ticket: "when",
    ticketWhen:
      "the settings are not those an admin last started (the web tier starts those again at its start)",
    // ip (10 s a command), nft (15 s), dnsmasq (15 s), and on a failure the same taken down again; behind the others.
    timeoutMs: 2 * 60 * SECOND,
    summary:
      "Starts what is missing of the NAT network (bridge, forwarding, masquerade, dnsmasq); on a failure, takes down what it started",
  }),
  stop: op({
    input: ZTicketed,
    output: ZNatStatus,
    ticket: "always",
    // dnsmasq given 5 s to go, nft (15 s), ip (10 s).
    timeoutMs: 60 * SECOND,
    summary:
      "Stops the NAT network (dnsmasq, masquerade table, bridge) and forgets the settings an admin started",
  }),
};
