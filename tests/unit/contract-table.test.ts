import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { contract } from "@/server/helper/contract";
import { contractTable, withContractTable } from "@/server/helper/contract/table";

describe("docs/architecture.md's table of the helper's operations", () => {
  it("is the contract's, operation for operation (npx tsx scripts/contract-table.ts rewrites it)", async () => {
    const page = await readFile("docs/architecture.md", "utf8");
    expect(withContractTable(page, contractTable(contract))).toBe(page);
  });
});
