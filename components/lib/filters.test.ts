import { describe, expect, it } from "vitest";
import { filtersFromSearch, optional, optionalDate, searchOf, withField } from "./filters";

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

describe("filters in the page's address", () => {
  const empty = { container: "", type: "", actor: "" };
  it("reads only the form's fields, and no text longer than a filter takes", () => {
    const search = new URLSearchParams({ container: "web1", other: "x", actor: "a".repeat(500) });
    expect(filtersFromSearch(empty, search)).toEqual({ container: "web1", type: "", actor: "" });
  });
  it("leaves blank what its field cannot show: a date that is not one, a select's unknown option", () => {
    const search = new URLSearchParams({ from: "yesterday", to: "2026-12-06T13:18", type: "bogus" });
    const rules = { from: "date", to: "date", type: ["job", "state"] } as const;
    expect(filtersFromSearch({ from: "", to: "", type: "" }, search, rules)).toEqual({
      from: "",
      to: "2026-12-06T13:18",
      type: "",
    });
    expect(filtersFromSearch({ type: "" }, new URLSearchParams({ type: "job" }), rules)).toEqual({
      type: "job",
    });
    expect(filtersFromSearch({ from: "" }, new URLSearchParams({ from: "2026-13-45T99:99" }), rules)).toEqual(
      {
        from: "",
      },
    );
  });

  it("writes the fields set, and nothing for no filter", () => {
    expect(searchOf({ container: "web 1", type: "", actor: "alice" })).toBe("?container=web+1&actor=alice");
    expect(searchOf(empty)).toBe("");
  });
});
