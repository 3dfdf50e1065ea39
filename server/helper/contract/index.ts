import type { TContract } from "./define";
import { lxcContract } from "./lxc";

/**
 * Everything the web tier may ask of the helper, by family: the one list of helper operations. The helper implements
 * it (server/helper/operations, checked complete by the compiler), the web tier's client is generated from it
 * (server/helper-client), and docs/architecture.md's table of operations is printed from it
 * (scripts/contract-table.ts).
 */
export const contract = {
  lxc: lxcContract,
} satisfies TContract;

export type THelperContract = typeof contract;
