import { AppError, said } from "../../errors";
import { ZNatConfig, type TNatConfig } from "../../schemas/nat";
import { NAT_TABLE, natRuleset } from "../nat";
import { isRunError, run } from "./runner";

/**
 * nftables, for the NAT network's table of Atelier's own (masquerade, forwarding, DHCP and DNS on the bridge): the
 * ruleset is made here from a config that passes ZNatConfig again, and goes to `nft -f -` on stdin. Only that table
 * is ever listed or deleted.
 */
const PACKAGE = "nftables";
const TIMEOUT_MS = 15_000;

/** What nft was asked: the NAT table applied (`-f`), or deleted. */
type TNftCall = { what: "apply" } | { what: "delete"; table: string };

const failed = (call: TNftCall, result: { exitCode: number; stderr: string; stdout: string }) => {
  const output = (result.stderr || result.stdout).trim();
  return new AppError("INTERNAL", {
    ...(output
      ? said("nftFailed", { ...call, output })
      : said("nftFailedCode", { ...call, exitCode: result.exitCode })),
    stderr: output,
  });
};

/** Replaces (or makes) the NAT table for this config. */
export const applyNatRules = async (config: TNatConfig) => {
  const ruleset = natRuleset(ZNatConfig.parse(config));
  const result = await run("nft", ["-f", "-"], { input: ruleset, timeoutMs: TIMEOUT_MS, package: PACKAGE });
  if (result.exitCode !== 0) throw failed({ what: "apply" }, result);
};

/** Whether the NAT table exists; false when nft is not installed (nothing of it can run then). */
export const natTableExists = async () => {
  try {
    const result = await run("nft", ["list", "table", "ip", NAT_TABLE], {
      timeoutMs: TIMEOUT_MS,
      package: PACKAGE,
    });
    return result.exitCode === 0;
  } catch (error) {
    if (isRunError(error, "missing")) return false;
    throw error;
  }
};

export const deleteNatTable = async () => {
  const result = await run("nft", ["delete", "table", "ip", NAT_TABLE], {
    timeoutMs: TIMEOUT_MS,
    package: PACKAGE,
  });
  if (result.exitCode !== 0) throw failed({ what: "delete", table: NAT_TABLE }, result);
};
