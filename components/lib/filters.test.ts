import { describe, expect, it } from "vitest";
import { optional, optionalDate, withField } from "./filters";

describe("withField", () => {
  it("changes one field and leaves the filters given untouched", () => {
    const before = { actor: "", result: "" };
    expect(withField(before, "actor", "alice")).toEqual({ actor: "alice", result: "" });
    expect(before).toEqual({ actor: "", result: "" });
  });
});

describe("optional", () => {
  it("leaves a blank field out, and keeps any other value as typed", () => {
    expect(optional("")).toBeUndefined();
    expect(optional("ok")).toBe("ok");
    expect(optional(" ")).toBe(" ");
  });
});

describe("optionalDate", () => {
  it("reads a datetime-local value in the local time zone", () => {
    expect(optionalDate("")).toBeUndefined();
    expect(optionalDate("2024-05-01T10:30")?.getTime()).toBe(new Date(2024, 4, 1, 10, 30).getTime());
  });
});
