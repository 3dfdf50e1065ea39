import { describe, expect, it } from "vitest";
import { safeNext } from "./safe-next";

describe("safeNext", () => {
  it("keeps paths on this site", () => {
    expect(safeNext("/containers/web?x=1")).toBe("/containers/web?x=1");
  });
  it.each([
    null,
    "",
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n//evil.example",
    " //evil.example",
  ])("refuses %j", (value) => {
    expect(safeNext(value)).toBe("/containers");
  });
});
