import { describe, expect, it } from "vitest";
import { formatBytes, formatCount, formatPercent, formatRate } from "./format";

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [1024, "1.0 KiB"],
    [1536, "1.5 KiB"],
    [5 * 1024 ** 2, "5.0 MiB"],
    [3.25 * 1024 ** 3, "3.3 GiB"],
    [2 * 1024 ** 4, "2.0 TiB"],
    // Past the largest unit the number grows rather than the unit.
    [2048 * 1024 ** 4, "2048.0 TiB"],
    [-2048, "-2.0 KiB"],
  ])("%d bytes is %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it("shows a dash for what is not known", () => {
    for (const value of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY])
      expect(formatBytes(value)).toBe("–");
  });
});

describe("formatRate", () => {
  it("is bytes per second", () => {
    expect(formatRate(2048)).toBe("2.0 KiB/s");
    expect(formatRate(0)).toBe("0 B/s");
    expect(formatRate(null)).toBe("–");
    expect(formatRate(undefined)).toBe("–");
  });
});

describe("formatPercent", () => {
  it("keeps a decimal below 10 %", () => {
    expect(formatPercent(0)).toBe("0.0 %");
    expect(formatPercent(9.94)).toBe("9.9 %");
    expect(formatPercent(10)).toBe("10 %");
    expect(formatPercent(99.6)).toBe("100 %");
  });

  it("shows a dash for what is not known", () => {
    for (const value of [null, undefined, Number.NaN]) expect(formatPercent(value)).toBe("–");
  });
});

describe("formatCount", () => {
  it("rounds and groups thousands", () => {
    expect(formatCount(1234567.6)).toBe("1,234,568");
    expect(formatCount(0)).toBe("0");
    expect(formatCount(null)).toBe("–");
  });
});

describe("in French", () => {
  it("writes octets, a decimal comma and a no-break space", () => {
    expect(formatBytes(1536, "fr")).toBe("1,5\u00a0Kio");
    expect(formatBytes(12, "fr")).toBe("12\u00a0o");
    expect(formatRate(2048, "fr")).toBe("2,0\u00a0Kio/s");
    expect(formatPercent(9.94, "fr")).toBe("9,9\u00a0%");
    expect(formatCount(12345, "fr")).toBe("12\u202f345");
  });
});
