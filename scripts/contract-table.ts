/**
 * Rewrites the table of the helper's operations in docs/architecture.md from the contract
 * (server/helper/contract): run `npx tsx scripts/contract-table.ts` after changing an operation.
 */
import { readFile, writeFile } from "node:fs/promises";
import { contract } from "../server/helper/contract";
import { contractTable, withContractTable } from "../server/helper/contract/table";

const page = "docs/architecture.md";
await writeFile(page, withContractTable(await readFile(page, "utf8"), contractTable(contract)));
process.stdout.write(`${page}: the table of operations is the contract's\n`);
