import { describe, expect, it } from "vitest";
import { filterRows, PAGE_SIZE } from "./packages-filter";

const rows = Array.from({ length: 250 }, (_, index) => ({
  name: `pkg${String(index).padStart(3, "0")}`,
  summary: index === 7 ? "The Bourne Again SHell" : "something",
}));

describe("the installed list's filter and pages", () => {
  it("pages a long list and keeps the page in range", () => {
    expect(filterRows(rows, "", 0)).toMatchObject({ kept: 250, pages: 3, page: 0 });
    expect(filterRows(rows, "", 0).rows).toHaveLength(PAGE_SIZE);
    expect(filterRows(rows, "", 9)).toMatchObject({ page: 2 });
    expect(filterRows(rows, "", 9).rows).toHaveLength(50);
  });

  it("filters by name or summary, case-insensitively", () => {
    expect(filterRows(rows, "bourne", 0).rows.map((row) => row.name)).toEqual(["pkg007"]);
    expect(filterRows(rows, " PKG24", 0).kept).toBe(10);
    expect(filterRows(rows, "nothing-like-it", 0)).toMatchObject({ kept: 0, pages: 1, page: 0, rows: [] });
  });
});
