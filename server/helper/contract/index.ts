import type { TContract } from "./define";
import { adminsContract } from "./admins";
import { configContract } from "./config";
import { lxcContract } from "./lxc";
import { natContract } from "./nat";
import { networkContract } from "./network";

/**
 * Everything the web tier may ask of the helper, by family: the one list of helper operations. The helper implements
 * it (server/helper/operations, checked complete by the compiler), the web tier's client is generated from it
 * (server/helper-client), and docs/architecture.md's table of operations is printed from it
 * (scripts/contract-table.ts).
 */
export const contract = {
  lxc: lxcContract,
  config: configContract,
  admins: adminsContract,
  network: networkContract,
  nat: natContract,
} satisfies TContract;

export type THelperContract = typeof contract;
