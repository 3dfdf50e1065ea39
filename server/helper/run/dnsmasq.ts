import path from "node:path";
import { AppError, said } from "../../errors";
import { ZNatConfig, type TNatConfig } from "../../schemas/nat";
import { dnsmasqArgs } from "../nat";
import { run } from "./runner";

/**
 * dnsmasq for the NAT network: DHCP and DNS on its bridge only, as lxc-net runs it, with its pid file and leases in
 * `dir` (the helper's own). The arguments are made here from a config that passes ZNatConfig again. dnsmasq forks
 * into the background (a session of its own) and its first process exits once it listens: that exit is the call's.
 */
const TIMEOUT_MS = 15_000;

export const startDnsmasq = async (config: TNatConfig, dir: string) => {
  if (!path.isAbsolute(dir) || path.normalize(dir) !== dir)
    throw new Error(`dnsmasq's directory must be a plain absolute path, not ${JSON.stringify(dir)}`);
  const result = await run("dnsmasq", dnsmasqArgs(ZNatConfig.parse(config), dir), {
    timeoutMs: TIMEOUT_MS,
    package: "dnsmasq-base",
  });
  if (result.exitCode !== 0) {
    const output = (result.stderr || result.stdout).trim();
    throw new AppError("INTERNAL", {
      ...(output
        ? said("dnsmasqFailed", { output })
        : said("dnsmasqFailedCode", { exitCode: result.exitCode })),
      stderr: output,
    });
  }
};
