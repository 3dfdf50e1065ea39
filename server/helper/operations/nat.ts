import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { z } from "zod";
import { AppError } from "../../errors";
import { ZNatConfig, type TNatConfig } from "../../schemas/nat";
import { dnsmasqArgs, NAT_TABLE, natRuleset, parseLeases } from "../nat";
import { writeAtomically } from "../write-atomically";
import { requireTicket } from "../admins";
import { defineOperation } from "../operation";
import { readHostNetwork } from "./reads";

/**
 * The NAT network's moving parts, as lxc-net makes them: the bridge and its address, IPv4 forwarding, the nftables
 * table of Atelier's own (masquerade), and dnsmasq (DHCP and DNS on the bridge only, its pid and leases in the
 * helper's state directory). Every value reaching nft or dnsmasq passed ZNatConfig here. One operation at a time.
 *
 * Starting and stopping it is an admin's act: each needs an admin's ticket (./admins.ts). The helper keeps the
 * settings an admin last started it with (nat/approved.json, root's): the web tier may start exactly those again
 * without a ticket (at its start, as lxc-net does at boot), until an admin stops it.
 */
const command = async (file: "ip" | "nft" | "dnsmasq", args: string[], input?: string) => {
  const result = await execa(file, args, {
    reject: false,
    timeout: 15_000,
    ...(input === undefined ? { stdin: "ignore" as const } : { input }),
  });
  if (result.exitCode !== 0)
    throw new AppError("INTERNAL", {
      message: `${file} ${args.slice(0, 3).join(" ")} failed: ${(result.stderr || result.stdout || result.shortMessage || "").trim()}`,
      hint:
        result.exitCode === undefined
          ? `Install ${file === "dnsmasq" ? "dnsmasq-base" : file === "nft" ? "nftables" : "iproute2"} on the host (scripts/start.sh does).`
          : undefined,
      stderr: result.stderr.trim(),
    });
  return result.stdout;
};

export const natOperations = ({ stateDir }: { stateDir: string }) => {
  const dir = path.join(stateDir, "nat");
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>) => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  const dnsmasqPid = async () => {
    const pid = Number((await readFile(path.join(dir, "dnsmasq.pid"), "utf8").catch(() => "")).trim());
    if (!pid) return null;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    return cmdline.includes("dnsmasq") && cmdline.includes(dir) ? pid : null;
  };
  const tableExists = async () =>
    (await execa("nft", ["list", "table", "ip", NAT_TABLE], { reject: false, stdin: "ignore" })).exitCode ===
    0;

  const status = async (config: TNatConfig) => {
    const network = await readHostNetwork();
    const bridge = network.bridges.find((entry) => entry.name === config.bridge) ?? null;
    const leases = parseLeases(await readFile(path.join(dir, "dnsmasq.leases"), "utf8").catch(() => ""));
    return {
      parts: { bridge: Boolean(bridge), dnsmasq: await dnsmasqPid(), masquerade: await tableExists() },
      ports: bridge?.ports ?? [],
      leases: leases.map((lease) => ({ ...lease, expires: lease.expires.toISOString() })),
    };
  };

  const startParts = async (config: TNatConfig) => {
    const network = await readHostNetwork();
    const link = network.interfaces.find((entry) => entry.name === config.bridge);
    if (link && link.kind !== "bridge")
      throw new AppError("PRECONDITION_FAILED", {
        message: `${config.bridge} exists and is not a bridge`,
        hint: "Pick another bridge name for the NAT network.",
      });
    if (!link) await command("ip", ["link", "add", "name", config.bridge, "type", "bridge"]);
    if (!link?.addresses.some((entry) => entry.cidr === config.address))
      await command("ip", ["addr", "add", config.address, "dev", config.bridge]);
    await command("ip", ["link", "set", config.bridge, "up"]);
    await writeFile("/proc/sys/net/ipv4/ip_forward", "1\n");
    await command("nft", ["-f", "-"], natRuleset(config));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if ((await dnsmasqPid()) === null) await command("dnsmasq", dnsmasqArgs(config, dir));
  };

  const stopParts = async (config: TNatConfig) => {
    const pid = await dnsmasqPid();
    if (pid) {
      process.kill(pid, "SIGTERM");
      for (let waited = 0; waited < 50 && (await dnsmasqPid()) !== null; waited += 1)
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await rm(path.join(dir, "dnsmasq.pid"), { force: true });
    if (await tableExists()) await command("nft", ["delete", "table", "ip", NAT_TABLE]);
    const network = await readHostNetwork();
    if (network.bridges.some((entry) => entry.name === config.bridge))
      await command("ip", ["link", "del", config.bridge]);
  };

  const approvedFile = path.join(dir, "approved.json");
  const canonical = (config: TNatConfig) =>
    JSON.stringify([config.bridge, config.address, config.dhcpStart, config.dhcpEnd]);
  const isApproved = async (config: TNatConfig) =>
    (await readFile(approvedFile, "utf8").catch(() => null)) === canonical(config);

  const input = z.object({ config: ZNatConfig }).strict();
  const ticketed = z.object({ config: ZNatConfig, ticket: z.string().max(4096).optional() }).strict();
  return {
    "nat.status": defineOperation({ input, run: ({ config }) => status(config) }),
    /**
     * Starts what is missing; on a failure, what was started is taken down again. On an admin's ticket, or without
     * one for the settings an admin last started.
     */
    "nat.start": defineOperation({
      input: ticketed,
      run: ({ config, ticket }) =>
        serially(async () => {
          const approved = await isApproved(config);
          if (!approved)
            await requireTicket(
              stateDir,
              ticket,
              "Starting the NAT network (a bridge, forwarding, masquerade)",
            );
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
    }),
    "nat.stop": defineOperation({
      input: ticketed,
      run: ({ config, ticket }) =>
        serially(async () => {
          await requireTicket(stateDir, ticket, "Stopping the NAT network");
          await rm(approvedFile, { force: true });
          await stopParts(config);
          return status(config);
        }),
    }),
  };
};
