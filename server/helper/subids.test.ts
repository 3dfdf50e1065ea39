import { describe, expect, it } from "vitest";
import { judgeSubids, parseSubids, poolLine } from "./subids";

const pool = { first: 1000000, slots: 1000 };

describe("root's subordinate ids for the pool", () => {
  it("is granted by one line or by adjoining pieces, missing otherwise", () => {
    expect(poolLine(pool)).toBe("root:1000000:65536000");
    expect(judgeSubids("root:1000000:65536000\n", pool).state).toBe("granted");
    expect(judgeSubids("0:1000000:65536000\n", pool).state).toBe("granted");
    expect(judgeSubids("root:1000000:65536\nroot:1065536:65470464\n", pool).state).toBe("granted");
    expect(judgeSubids("", pool).state).toBe("missing");
    expect(judgeSubids("root:1000000:65536\n", pool).state).toBe("missing");
    expect(judgeSubids("alice:100000:65536\n", pool).state).toBe("missing");
  });

  it("names another owner's range inside the pool", () => {
    expect(judgeSubids("root:1000000:65536000\nbob:1065536:65536\n", pool)).toMatchObject({
      state: "conflict",
      entry: { owner: "bob", first: 1065536 },
    });
  });

  // shadow reads these with strtoul(base 0) and tolerant splitting: what it makes of them may differ from a plain
  // reading (hex, octal, a sign, spaces, extra fields, a carriage return), so none of them is judged.
  it.each([
    "alice:0xF4240:65536",
    "alice: 1000000:65536",
    "alice:+1000000:65536",
    "alice:01000000:65536",
    "alice:1000000:65536:x",
    " root:1000000:65536000",
    "root:1000000:65536000 ",
    "root:1000000:65536000\r",
    "# root:1000000:65536000",
  ])("refuses to judge %j (newuidmap may read it otherwise)", (line) => {
    expect(judgeSubids(`${line}\n`, pool)).toMatchObject({ state: "unreadable", line: 1 });
  });

  it("reads owners by name or uid, numbers only as plain decimals", () => {
    expect(parseSubids("alice:100000:65536\n1000:200000:65536\n\n")).toEqual([
      { owner: "alice", first: 100000, count: 65536, line: 1 },
      { owner: "1000", first: 200000, count: 65536, line: 2 },
    ]);
  });
});
