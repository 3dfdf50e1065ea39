import type { TDb } from "../db";
import { AppError, said } from "../errors";
import type { EventBus } from "../events/bus";
import type { TLogger } from "../log";
import { inSubnet, networkOf } from "../schemas/ipv4";
import { DEFAULT_NAT, type TNatConfig } from "../schemas/nat";
import type { THelper } from "../helper-client";
import type { TReadNetwork } from "./read";

/**
 * The NAT network: what LXC's lxc-net does, managed from the panel. One bridge with an address (the containers'
 * gateway and DNS server), dnsmasq for DHCP and DNS on that bridge only, an nftables table of Atelier's own that
 * masquerades the bridge's subnet, and IPv4 forwarding. Started again when Atelier starts if it was enabled (as
 * lxc-net does at boot). The settings' rule is server/schemas/nat.ts; the ruleset and dnsmasq's arguments are made
 * by the helper (server/helper/nat.ts), which checks the settings again.
 *
 * Here: the NAT network's settings and history (database), and the checks before a change; what runs (the bridge,
 * forwarding, the nftables table, dnsmasq) is the helper's (its `nat` family: server/helper/contract/nat.ts).
 */
export const createNat = ({
  readNetwork,
  helper,
  db,
  events,
  log,
}: {
  readNetwork: TReadNetwork;
  helper: Pick<THelper, "nat">;
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
    const live = await helper.nat.status({ config });
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
    helper.nat.start({ config, ...(ticket ? { ticket } : {}) });
  const stopParts = (config: TNatConfig, ticket?: string) =>
    helper.nat.stop({ config, ...(ticket ? { ticket } : {}) });

  const configure = (input: TNatConfig, actor: string) =>
    serially(async () => {
      const current = await status();
      if (current.running || current.parts.bridge)
        throw new AppError("PRECONDITION_FAILED", said("natRunning"));
      const network = await readNetwork();
      if (network.interfaces.some((entry) => entry.name === input.bridge))
        throw new AppError("BAD_REQUEST", {
          ...said("natBridgeNameTaken", { bridge: input.bridge }),
          field: "bridge",
        });
      const [own] = input.address.split("/");
      for (const entry of network.interfaces)
        for (const address of entry.addresses.filter((a) => a.family === "inet")) {
          const [theirs] = address.cidr.split("/");
          if (inSubnet(theirs ?? "", input.address) || inSubnet(own ?? "", address.cidr))
            throw new AppError("BAD_REQUEST", {
              ...said("natSubnetOverlaps", {
                network: networkOf(input.address),
                name: entry.name,
                cidr: address.cidr,
              }),
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
        throw new AppError(
          "PRECONDITION_FAILED",
          said("natInUse", { bridge: config.bridge, containers: busy.join(", ") }),
        );
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
