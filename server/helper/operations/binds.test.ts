import { describe, expect, it } from "vitest";
import { splitAround } from "./binds";

const range = (host: number) =>
  (["u", "g"] as const).map((type) => ({ type, inside: 0, host, count: 65536 }));

describe("splitAround", () => {
  it("cuts the map that holds the id in three, the id onto itself (the pass-through recipe)", () => {
    expect(splitAround(range(1000000), "u", 1000)).toEqual([
      { type: "u", inside: 0, host: 1000000, count: 1000 },
      { type: "u", inside: 1000, host: 1000, count: 1 },
      { type: "u", inside: 1001, host: 1001001, count: 64535 },
    ]);
  });

  it("leaves out empty pieces at either end, and keeps other maps of the kind", () => {
    expect(splitAround(range(1000000), "g", 65535)).toEqual([
      { type: "g", inside: 0, host: 1000000, count: 65535 },
      { type: "g", inside: 65535, host: 65535, count: 1 },
    ]);
    const once = splitAround(range(1000000), "u", 1000) ?? [];
    expect(splitAround(once, "u", 2000)).toEqual([
      { type: "u", inside: 0, host: 1000000, count: 1000 },
      { type: "u", inside: 1000, host: 1000, count: 1 },
      { type: "u", inside: 1001, host: 1001001, count: 999 },
      { type: "u", inside: 2000, host: 2000, count: 1 },
      { type: "u", inside: 2001, host: 1002001, count: 63535 },
    ]);
  });

  it("is null for an id no map holds", () => {
    expect(splitAround([{ type: "u", inside: 0, host: 1000000, count: 10 }], "u", 1000)).toBeNull();
  });
});
