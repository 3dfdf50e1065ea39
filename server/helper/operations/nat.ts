import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { AppError, said } from "../../errors";
import { writeAtomically } from "../write-atomically";
import type { TNatConfig } from "../../schemas/nat";
import { requireTicket } from "../admins";
import type { THandlers } from "../contract/define";
import type { natContract } from "../contract/nat";
import { parseLeases } from "../nat";
import { readHostNetwork } from "../network/read";
import { startDnsmasq } from "../run/dnsmasq";
import { ipChange, mustChange } from "../run/ip";
import { applyNatRules, deleteNatTable, natTableExists } from "../run/nft";

/**
 * The NAT network's moving parts, as lxc-net makes them (the contract: ../contract/nat.ts): the bridge and its
 * address, IPv4 forwarding, the nftables table of Atelier's own (masquerade), and dnsmasq (DHCP and DNS on the bridge
 * only, its pid and leases in the helper's state directory). Every value reaching nft or dnsmasq passed ZNatConfig
 * (the contract's input, and again where their arguments are made: ../run/nft.ts, ../run/dnsmasq.ts). One
 * operation at a time.
 *
 * Starting and stopping it is an admin's act: each needs an admin's ticket (../admins.ts). The helper keeps the
 * settings an admin last started it with (nat/approved.json, root's): the web tier may start exactly those again
 * without a ticket (at its start, as lxc-net does at boot), until an admin stops it.
 */
export const natOperations = ({ stateDir }: { stateDir: string }) => {
  const dir = path.join(stateDir, "nat");
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>) => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  const dnsmasqPid = async () => {
    const pid = Number((await readFile(path.join(dir, "dnsmasq.pid"), "utf8").catch(() => "")).trim());
    if (!pid) return null;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    return cmdline.includes("dnsmasq") && cmdline.includes(dir) ? pid : null;
  };

  const status = async (config: TNatConfig) => {
    const network = await readHostNetwork();
    const bridge = network.bridges.find((entry) => entry.name === config.bridge) ?? null;
    const leases = parseLeases(await readFile(path.join(dir, "dnsmasq.leases"), "utf8").catch(() => ""));
    return {
      parts: { bridge: Boolean(bridge), dnsmasq: await dnsmasqPid(), masquerade: await natTableExists() },
      ports: bridge?.ports ?? [],
      leases: leases.map((lease) => ({ ...lease, expires: lease.expires.toISOString() })),
    };
  };

  const startParts = async (config: TNatConfig) => {
    const network = await readHostNetwork();
    const link = network.interfaces.find((entry) => entry.name === config.bridge);
    if (link && link.kind !== "bridge")
      throw new AppError("PRECONDITION_FAILED", said("natBridgeNotABridge", { bridge: config.bridge }));
    if (!link)
      await mustChange(ipChange.addBridge(config.bridge), { change: "addBridge", bridge: config.bridge });
    if (!link?.addresses.some((entry) => entry.cidr === config.address))
      await mustChange(ipChange.addAddress(config.address, config.bridge), {
        change: "addAddress",
        bridge: config.bridge,
        address: config.address,
      });
    await mustChange(ipChange.setUp(config.bridge, true), { change: "setUp", bridge: config.bridge });
    await writeFile("/proc/sys/net/ipv4/ip_forward", "1\n");
    await applyNatRules(config);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if ((await dnsmasqPid()) === null) await startDnsmasq(config, dir);
  };

  const stopParts = async (config: TNatConfig) => {
    const pid = await dnsmasqPid();
    if (pid) {
      process.kill(pid, "SIGTERM");
      for (let waited = 0; waited < 50 && (await dnsmasqPid()) !== null; waited += 1)
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await rm(path.join(dir, "dnsmasq.pid"), { force: true });
    if (await natTableExists()) await deleteNatTable();
    const network = await readHostNetwork();
    if (network.bridges.some((entry) => entry.name === config.bridge))
      await mustChange(ipChange.deleteLink(config.bridge), { change: "deleteLink", bridge: config.bridge });
  };

  const approvedFile = path.join(dir, "approved.json");
  const canonical = (config: TNatConfig) =>
    JSON.stringify([config.bridge, config.address, config.dhcpStart, config.dhcpEnd]);
  const isApproved = async (config: TNatConfig) =>
    (await readFile(approvedFile, "utf8").catch(() => null)) === canonical(config);

  return {
    status: ({ config }) => status(config),
    /**
     * Starts what is missing; on a failure, what was started is taken down again. On an admin's ticket, or without
     * one for the settings an admin last started.
     */
    start: ({ config, ticket }) =>
      serially(async () => {
        const approved = await isApproved(config);
        if (!approved) await requireTicket(stateDir, ticket, { action: "natStart" });
        try {
          await startParts(config);
        } catch (error) {
          await stopParts(config).catch(() => undefined);
          throw error;
        }
        if (!approved) {
          await mkdir(dir, { recursive: true, mode: 0o700 });
          await writeAtomically(approvedFile, canonical(config), { newMode: 0o600 });
        }
        return status(config);
      }),
    stop: ({ config, ticket }) =>
      serially(async () => {
        await requireTicket(stateDir, ticket, { action: "natStop" });
        await rm(approvedFile, { force: true });
        await stopParts(config);
        return status(config);
      }),
  } satisfies THandlers<typeof natContract>;
};
